# Lithuanian: Django's standard formats (year first, month in the genitive: "2026 m.
# gruodžio 1 d."), plus dates with their weekday. Django's one-letter weekday
# abbreviations are hard to read ("A", "Š"), so the weekday is written out.
DAY_FORMAT = r"l, Y \m. E j \d."
SHORT_DAY_FORMAT = r"l, E j \d."
SHORT_MONTH_DAY_FORMAT = "m-d"
WEEKDAY_MONTH_DAY_FORMAT = r"l, E j \d."
# Two-letter weekdays for narrow places (the day strip of the booking page); Django's own
# are one letter and P is both Monday and Friday.
WEEKDAY_ABBREVIATIONS = ("Pr", "An", "Tr", "Kt", "Pn", "Št", "Sk")
