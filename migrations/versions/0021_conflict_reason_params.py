"""A conflict stores its reason's parameters, not an English sentence

`booking_conflicts.detail` held the matching engine's English sentence, shown as it was inside
otherwise translated pages and messages. A conflict now keeps its reason code (as before) and
the rejection's values as JSON (`params`, named as `rris.matching.domain.rules` names them: dates
and instants in ISO 8601, instants in UTC), worded in each reader's language when shown
(`rris.matching.services.wording`). Existing rows are read back into parameters where
the sentence says them all (every conflict reason's sentence does, as the engine wrote them);
a sentence that cannot be read stays, as `legacy_detail`, and is shown as it is. Going down
writes the English sentence back from the parameters.

Revision ID: 0021_conflict_reason_params
Revises: 0020_second_factor
Create Date: 2026-12-06 23:30:00

"""
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_conflict_reason_params'
down_revision = '0020_second_factor'
branch_labels = None
depends_on = None

# The English names the engine wrote (rris.matching.domain.rules._LANGUAGE_NAMES), read back to codes.
LANGUAGE_CODES = {
    "Arabic": "arb", "Levantine Arabic": "apc", "Iraqi Arabic": "acm", "Farsi": "pes", "Dari": "prs",
    "Pashto": "pus", "Urdu": "urd", "Sorani Kurdish": "ckb", "Kurmanji Kurdish": "kmr", "Bengali": "ben",
    "Tigrinya": "tir", "Somali": "som", "French": "fra", "English": "eng", "Albanian": "sqi",
    "Serbian": "srp", "Bosnian": "bos", "Croatian": "hrv", "Macedonian": "mkd", "Montenegrin": "cnr",
    "Turkish": "tur",
}
CODE_NAMES = {code: name for name, code in LANGUAGE_CODES.items()}

FIXED = {
    "inactive": "Not active in the pool.",
    "time_off": "Has time off during this session.",
    "objected_by_applicant": "The applicant has objected to this interpreter.",
}
PAIR = re.compile(r"Does not interpret between (?P<a>.+) and (?P<b>.+)\.$")
DIALECT = re.compile(r"Does not cover the (?P<dialect>.+) dialect of (?P<language>.+)\.$")
ACCREDITED = re.compile(r"Not accredited for this country on (?P<date>\d{4}-\d{2}-\d{2})\.$")
SAME_DAY = re.compile(
    r"Outside weekly availability: the session runs (?P<t1>\d\d:\d\d)–(?P<t2>\d\d:\d\d) on (?P<d>\d{4}-\d{2}-\d{2}) in .+\.$"
)
TWO_DAYS = re.compile(
    r"Outside weekly availability: the session runs (?P<d1>\d{4}-\d{2}-\d{2}) (?P<t1>\d\d:\d\d) to "
    r"(?P<d2>\d{4}-\d{2}-\d{2}) (?P<t2>\d\d:\d\d) in .+\.$"
)

conflicts = sa.table(
    'booking_conflicts',
    sa.column('id', sa.Integer),
    sa.column('reason', sa.String),
    sa.column('detail', sa.Text),
    sa.column('params', sa.JSON),
    sa.column('legacy_detail', sa.Text),
    sa.column('interpreter_id', sa.Integer),
    sa.column('booking_id', sa.Integer),
)
profiles = sa.table('interpreter_profiles', sa.column('id', sa.Integer), sa.column('timezone', sa.String))
bookings = sa.table('bookings', sa.column('id', sa.Integer), sa.column('country_id', sa.Integer))


def instant(local, zone_name):
    """A wall-clock time ("2026-01-14T12:30") in `zone_name` as the engine's UTC instant, ISO 8601."""
    return datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC).isoformat()


def wall_clock(stored, zone_name):
    """A stored UTC instant as the wall-clock day and time ("2026-01-14", "12:30") in `zone_name`."""
    local = datetime.fromisoformat(stored).astimezone(ZoneInfo(zone_name))
    return local.date().isoformat(), local.strftime("%H:%M")


def read_back(reason, detail, zone_name, country_id):
    """The values a conflict's English sentence says, named as the engine's rules name them, or
    None when it cannot be read (a time off's period is not in its sentence; no wording needs it)."""
    if reason in FIXED:
        return {} if detail == FIXED[reason] else None
    if reason == "no_language_pair" and (found := PAIR.match(detail)):
        a, b = LANGUAGE_CODES.get(found["a"], found["a"]), LANGUAGE_CODES.get(found["b"], found["b"])
        return {"applicant_language": a, "officer_language": b}
    if reason == "no_dialect" and (found := DIALECT.match(detail)):
        return {"language": LANGUAGE_CODES.get(found["language"], found["language"]), "dialect": found["dialect"]}
    if reason == "not_accredited" and (found := ACCREDITED.match(detail)):
        return {"country_id": country_id, "date": found["date"]}
    if reason == "outside_availability" and zone_name:
        if found := SAME_DAY.match(detail):
            start, end = f"{found['d']}T{found['t1']}", f"{found['d']}T{found['t2']}"
        elif found := TWO_DAYS.match(detail):
            start, end = f"{found['d1']}T{found['t1']}", f"{found['d2']}T{found['t2']}"
        else:
            return None
        return {"timezone": zone_name, "start": instant(start, zone_name), "end": instant(end, zone_name)}
    return None


def english(reason, params):
    """The sentence the engine wrote for a conflict reason and its values."""
    if reason in FIXED:
        return FIXED[reason]
    if reason == "no_language_pair":
        a, b = (CODE_NAMES.get(params[key], params[key]) for key in ("applicant_language", "officer_language"))
        return f"Does not interpret between {a} and {b}."
    if reason == "no_dialect":
        return f"Does not cover the {params['dialect']} dialect of {CODE_NAMES.get(params['language'], params['language'])}."
    if reason == "not_accredited":
        return f"Not accredited for this country on {params['date']}."
    if reason == "outside_availability":
        zone_name = params["timezone"]
        start_day, start = wall_clock(params["start"], zone_name)
        end_day, end = wall_clock(params["end"], zone_name)
        span = f"{start}–{end} on {start_day}" if start_day == end_day else f"{start_day} {start} to {end_day} {end}"
        return f"Outside weekly availability: the session runs {span} in {zone_name.rsplit('/', 1)[-1].replace('_', ' ')}."
    return reason


def upgrade():
    with op.batch_alter_table('booking_conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('legacy_detail', sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(conflicts.c.id, conflicts.c.reason, conflicts.c.detail, profiles.c.timezone, bookings.c.country_id)
        .join(profiles, profiles.c.id == conflicts.c.interpreter_id)
        .join(bookings, bookings.c.id == conflicts.c.booking_id)
    ).all()
    for row in rows:
        params = read_back(row.reason, row.detail or "", row.timezone, row.country_id)
        values = {"params": params or {}, "legacy_detail": None if params is not None else row.detail}
        bind.execute(conflicts.update().where(conflicts.c.id == row.id).values(**values))
    op.execute(conflicts.update().where(conflicts.c.params.is_(None)).values(params={}))
    with op.batch_alter_table('booking_conflicts', schema=None) as batch_op:
        batch_op.alter_column('params', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('detail')


def downgrade():
    with op.batch_alter_table('booking_conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(conflicts.c.id, conflicts.c.reason, conflicts.c.params, conflicts.c.legacy_detail)
    ).all()
    for row in rows:
        detail = row.legacy_detail if row.legacy_detail is not None else english(row.reason, row.params or {})
        bind.execute(conflicts.update().where(conflicts.c.id == row.id).values(detail=detail))
    with op.batch_alter_table('booking_conflicts', schema=None) as batch_op:
        batch_op.alter_column('detail', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('legacy_detail')
        batch_op.drop_column('params')
