"""Pages that read the mirror: patients, today's schedule, patient card, dashboard."""
