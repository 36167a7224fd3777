# English (the "en" language of a practice), written the British way: day before month,
# 24-hour clock ("1 December 2026", "14:00"). US practices choose "en-us".
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DAY_FORMAT = "l j F Y"
SHORT_DAY_FORMAT = "D j M"
SHORT_MONTH_DAY_FORMAT = "j M"
WEEKDAY_MONTH_DAY_FORMAT = "l j F"
