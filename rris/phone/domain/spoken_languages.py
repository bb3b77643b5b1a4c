"""Which voice speaks a telephone prompt to a person, by the interface locale they read.

Twilio's `<Say>` speaks a language only through a voice that has it: the default voices speak
a few Western languages, Amazon Polly and Google text-to-speech many more. This table is the one
place that says which voice speaks each of RRIS's locales, and which catalogue's text it reads.

Spoken in their own language:
- English (`en`): British English, Twilio's default voice, as before.
- Turkish (`tr`): Google's tr-TR voice.
- Serbian (`sr_Cyrl` and `sr_Latn`): Google's sr-RS voice, which reads Cyrillic. Script does not
  matter on the telephone, so a Serbian Latin reader hears the Cyrillic catalogue's sentences
  (the same words), not Latin letters a Serbian voice might spell out.
- Arabic (`ar`): Google's Modern Standard Arabic voice (ar-XA).
- Urdu (`ur`): Google's Urdu voice (ur-IN; the same written Urdu as Pakistan's).

Falling back to English (the pool's working language), because neither Twilio's own voices nor
the Polly or Google voices `<Say>` offers speak them: Albanian (`sq`), Bosnian (`bs`), Macedonian
(`mk`), Farsi (`fa`), Dari (`fa_AF`) and Pashto (`ps`). A Bosnian or Macedonian prompt read by the
Serbian voice would be near but wrong; an English one is at least the one everyone was trained in.
When Twilio adds a voice for one of them, add its line here (and hear a test call).
"""

from __future__ import annotations

from dataclasses import dataclass

from rris.common.domain.locales import SOURCE_LOCALE


@dataclass(frozen=True)
class SpokenVoice:
    """How prompts are spoken to one reader: the catalogue the text comes from, `<Say language>`
    and `<Say voice>` (None: Twilio's default voice for the language)."""

    text_locale: str
    language: str
    voice: str | None = None

    @property
    def falls_back(self) -> bool:
        """True when the person hears English because no voice speaks their language."""
        return self.text_locale == SOURCE_LOCALE


ENGLISH = SpokenVoice(SOURCE_LOCALE, "en-GB")

SPOKEN_VOICES: dict[str, SpokenVoice] = {
    SOURCE_LOCALE: ENGLISH,
    "tr": SpokenVoice("tr", "tr-TR", "Google.tr-TR-Standard-A"),
    "sr_Cyrl": SpokenVoice("sr_Cyrl", "sr-RS", "Google.sr-RS-Standard-A"),
    "sr_Latn": SpokenVoice("sr_Cyrl", "sr-RS", "Google.sr-RS-Standard-A"),
    "ar": SpokenVoice("ar", "ar-XA", "Google.ar-XA-Standard-A"),
    "ur": SpokenVoice("ur", "ur-IN", "Google.ur-IN-Standard-A"),
}


def spoken_voice(locale: str | None) -> SpokenVoice:
    """The voice and text that speak to a reader of `locale`; English where no voice speaks it."""
    return SPOKEN_VOICES.get(locale or SOURCE_LOCALE, ENGLISH)
