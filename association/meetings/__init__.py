"""Committee meetings: invitations (.ics), agenda, attendance, minutes per item, decisions acting on tasks."""
