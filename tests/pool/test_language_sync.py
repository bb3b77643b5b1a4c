"""`flask languages sync`: the ISO 639-3 catalogue loaded into the languages table, and kept current."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from rris.extensions import db
from rris.pool.models.languages import Language
from rris.pool.services.languages import iso_languages, sync_languages


def test_a_missing_language_is_added_and_a_changed_name_put_back_and_the_next_sync_changes_nothing(ctx):
    catalogue = {row["code"]: row for row in iso_languages()}
    db.session.execute(delete(Language).where(Language.code.in_(("zul", "xho"))))
    db.session.get(Language, "pus").name = "Afghan"
    db.session.get(Language, "prs").alpha_2 = "zz"
    db.session.commit()

    assert sync_languages() == 4
    db.session.expire_all()
    for code in ("zul", "xho", "pus", "prs"):
        language = db.session.get(Language, code)
        expected = catalogue[code]
        assert (language.name, language.alpha_2, language.scope) == (
            expected["name"], expected["alpha_2"], expected["scope"],
        )  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(Language)) == len(catalogue)
    assert sync_languages() == 0


def test_the_command_says_how_many_it_changed(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["languages", "sync"]).output == "0 languages added or updated.\n"
