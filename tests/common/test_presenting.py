"""Labels of enum members: members of different enums with the same value keep their own label."""

from rris.common.web.presenting import label
from rris.enums import SessionKind, Specialisation


def test_the_medical_specialisation_and_the_medical_session_are_labelled_apart(app):
    with app.test_request_context():
        assert label(Specialisation.MEDICAL) == "medical"
        assert label(SessionKind.MEDICAL) == "Medical appointment"
