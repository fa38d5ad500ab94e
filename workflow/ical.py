"""A small iCalendar (RFC 5545) writer: a calendar of events, each on one day or at one instant.

No library of the project writes iCalendar, and the feed needs little of it: VCALENDAR with
VEVENTs carrying UID, DTSTAMP, DTSTART (a UTC date-time, or a date with DTEND the next day),
SUMMARY, DESCRIPTION and URL. What matters is written carefully: lines end with CRLF, are folded
at 75 octets without splitting a UTF-8 character, and TEXT values escape backslash, semicolon,
comma and newlines (§3.1, §3.3.11).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
MAX_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    start: date | datetime  # an aware datetime (an instant) or a date (the whole day)
    description: str = ""
    url: str = ""


def escape_text(value):
    """A TEXT value (§3.3.11)."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line):
    """A content line folded into lines of at most 75 octets, each continuation starting with a
    space (§3.1); a multi-octet character is never split."""
    if len(line.encode("utf-8")) <= MAX_OCTETS:
        return line
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > MAX_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += octets
    parts.append(current)
    return CRLF.join(parts)


def format_datetime(value):
    """An aware datetime as a UTC DATE-TIME (form #2, §3.3.5)."""
    if value.tzinfo is None:
        raise ValueError("iCalendar instants must be aware datetimes.")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def format_date(value):
    return value.strftime("%Y%m%d")


def _event_lines(event, *, stamp):
    lines = ["BEGIN:VEVENT", f"UID:{escape_text(event.uid)}", f"DTSTAMP:{stamp}"]
    if isinstance(event.start, datetime):
        lines.append(f"DTSTART:{format_datetime(event.start)}")
    else:  # the whole day: DTEND is exclusive, the next day
        lines.append(f"DTSTART;VALUE=DATE:{format_date(event.start)}")
        lines.append(f"DTEND;VALUE=DATE:{format_date(event.start + timedelta(days=1))}")
    lines.append(f"SUMMARY:{escape_text(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        # A URI value is not TEXT: not escaped, but it may not hold a line break.
        lines.append(f"URL:{event.url.replace(chr(13), '').replace(chr(10), '')}")
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def calendar(events, *, name, prodid, now):
    """The iCalendar text of `events` (a str; encode it as UTF-8)."""
    stamp = format_datetime(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += _event_lines(event, stamp=stamp)
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(line) for line in lines) + CRLF
