"""Upper bounds on the numbers a person enters, in one place.

These are plausibility bounds, not clinical thresholds: each is far above anything a real
course of care reaches, and low enough that nothing built from a stored value (a chart's
axis, a loop over sessions, a database column) can grow without end. Forms, models,
database constraints and the core's functions all read them from here.
"""

from __future__ import annotations

# Sessions in one episode. Classical psychoanalysis, the most intensive format in
# routine use, meets four or five times a week for several years; long-term
# psychodynamic psychotherapy is defined as at least 50 sessions or a year (Leichsenring
# & Rabung 2008, JAMA 300(13):1551-65). Four sessions a week, 48 weeks a year, for five
# years is 960 sessions, so 1,000 leaves room for any real episode while keeping every
# range built from a session number small.
MAX_SESSION_NUMBER = 1000

# "Every N sessions" in a measurement plan: 52 is once a year at weekly sessions; a
# measure asked less often than that no longer follows the course of care.
MAX_EVERY_N_SESSIONS = 52

# Ids posted in forms and query strings: positive and within a 63-bit database integer.
MAX_ID = 2**63 - 1

# The most digits any number typed into a form may have (MAX_ID has 19): longer input is
# refused before any conversion, so a 5,000-digit string costs nothing.
MAX_DIGITS = 19
