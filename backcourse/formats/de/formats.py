# German: Django's standard formats, plus dates with their weekday.
DATETIME_FORMAT = "j. F Y, H:i"
DAY_FORMAT = "l, j. F Y"
SHORT_DAY_FORMAT = "D, j. M"
SHORT_MONTH_DAY_FORMAT = "j. M"
WEEKDAY_MONTH_DAY_FORMAT = "l, j. F"
