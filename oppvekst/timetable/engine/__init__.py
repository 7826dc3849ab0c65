"""Timetable's pure engine: plain data in, plain data out, no Django imports."""
