# One date format on every page: "6 Dec 2026", and "6 Dec 2026, 14:05" with the time. Templates write
# `|date` or `|date:"DATETIME_FORMAT"` (a datetime shown as is gets the second); CSV, Excel and the API keep ISO 8601.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
