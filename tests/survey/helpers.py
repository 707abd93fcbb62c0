"""A resident walking a questionnaire through the test client, with valid answers."""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from survey_app.questionnaire import effective_answers, visible_questions
from survey_app.survey.forms import parse_page


def html(response) -> str:
    return response.get_data(as_text=True)


def csrf_of(page: str) -> str | None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else None


def answer_fields(question, tag: str, districts, overrides: dict) -> dict:
    """Form fields giving ``question`` a valid answer; free texts carry ``tag``."""
    q = question
    if q.id in overrides:
        return {q.id: overrides[q.id]}
    plain = [o.code for o in q.options if not o.other and not o.exclusive]
    if q.type in ("single", "yesno"):
        return {q.id: "oui" if q.type == "yesno" else plain[0]}
    if q.type == "multiple":
        return {q.id: [plain[0]]}
    if q.type == "district":
        return {q.id: districts[0]["code"]}
    if q.type in ("integer", "scale", "decimal"):
        return {q.id: str(int(q.min) if q.min is not None else 1)}
    if q.type == "year":
        return {q.id: str(int(q.min) if q.min is not None else 1980)}
    if q.type == "date":
        return {q.id: "2020-01-15"}
    if q.type in ("text", "longtext"):
        if q.pattern and "@" in q.pattern:
            return {q.id: f"{tag}@exemple.fr"}
        if q.pattern:
            return {q.id: "01 23 45 67 89"}
        return {q.id: f"{tag}-{q.id}"}
    if q.type == "matrix":
        return {f"{q.id}.{row.id}": plain[0] for row in q.rows}
    if q.type == "ranking":
        count = max(1, q.min_choices or 1)
        return {f"{q.id}.{i + 1}": code for i, code in enumerate(plain[:count])}
    return {}


class Resident:
    """One device answering one questionnaire: remembers every page it was shown."""

    def __init__(self, client, base: str, tag: str, overrides: dict | None = None):
        self.client, self.base, self.tag = client, base, tag
        self.overrides = overrides or {}
        self.pages: list[tuple[str, str]] = []
        self.csrf_tokens: set[str] = set()
        #: the raw answers given so far, as the server parses them
        self.raw: dict = {}

    def get(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = html(response)
        self.pages.append((url, body))
        token = csrf_of(body)
        if token:
            self.csrf_tokens.add(token)
        return body

    def post(self, url: str, data: dict, page: str):
        return self.client.post(url, data={"csrf_token": csrf_of(page), **data})

    def start(self) -> str:
        info = self.get(self.base)
        response = self.post(f"{self.base}/commencer", {}, info)
        assert response.status_code == 302, html(response)
        return response.headers["Location"]

    def answer(self, survey, section_id: str) -> str:
        """Show page ``section_id`` and post valid answers to what it shows; return where it leads."""
        url = f"{self.base}/page/{section_id}"
        page = self.get(url)
        definition, section = survey.definition, survey.definition.section(section_id)
        fields: dict = {}
        for _round in range(4):  # answers of the page may show more of its questions
            typed = effective_answers(definition, {**self.raw, **parse_page(section, MultiDict(fields))},
                                      districts=survey.districts)
            wanted: dict = {}
            for q in visible_questions(definition, typed, section):
                if q.answerable:
                    wanted.update(answer_fields(q, self.tag, survey.districts, self.overrides))
            if wanted == fields:
                break
            fields = wanted
        self.raw.update(parse_page(section, MultiDict(fields)))
        version = re.search(r'name="version_id" value="(\d+)"', page).group(1)
        response = self.post(url, {"version_id": version, "section_id": section_id, "action": "next", **fields}, page)
        assert response.status_code == 302, (section_id, html(response)[:3000])
        return response.headers["Location"]

    def walk(self, survey) -> list[str]:
        """Answer every page shown, then show the review page; return the sections answered."""
        location, done = self.start(), []
        while "/page/" in location:
            section_id = location.rsplit("/page/", 1)[1]
            done.append(section_id)
            location = self.answer(survey, section_id)
        assert location.endswith("/relecture"), location
        return done

    def secrets(self) -> set[str]:
        """What only this resident may see: free-text answers, resume code, CSRF tokens."""
        found = set(self.csrf_tokens)
        for _url, body in self.pages:
            for code in re.findall(r'class="code"[^>]*>([A-Z0-9-]{14})<', body):
                found.add(code)
        found.add(self.tag)
        return found
