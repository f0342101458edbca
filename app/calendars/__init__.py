"""The sales reps' calendars: free/busy to offer from, events to book into (CalendarSync)."""
