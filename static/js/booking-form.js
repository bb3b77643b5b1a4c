// Booking form: tells the caseworker, while she fills it in, how many interpreters fit,
// whether a relay through English is needed, or which other times would work. Its sentences are
// the page's strings block (templates/bookings/new.html); the English here stands in for a missing one.
import { localDateTime, strings } from "./strings.js";

const ENGLISH = {
  eligible: { one: "{count} interpreter fits.", other: "{count} interpreters fit." },
  relay: "No one interprets this pair directly. RRIS will book a relay through English: two interpreters ({first} and {second} available).",
  nobody_free: "No interpreter is free at that time.",
  other_times: "These times would work:",
  suggestion: { one: "{time}: {count} interpreter", other: "{time}: {count} interpreters" },
};

(function () {
  const t = strings(ENGLISH);
  const form = document.getElementById("booking-form");
  if (!form) { return; }
  const box = document.getElementById("preview");
  const token = form.querySelector("input[name=csrf_token]").value;
  const durations = JSON.parse(form.dataset.durations || "{}");
  let timer = null;

  function value(name) {
    const element = form.elements[name];
    return element ? element.value : "";
  }

  function payload() {
    const checked = Array.prototype.slice.call(form.querySelectorAll("input[name=specialisations]:checked"));
    const body = {
      applicant_language: value("applicant_language"),
      officer_language: value("officer_language"),
      session_kind: value("session_kind"),
      start_local: value("start_local"),
      modality: form.querySelector("input[name=modality]:checked") ? form.querySelector("input[name=modality]:checked").value : "video",
      case_reference: value("case_reference") || "preview",
      department_id: parseInt(value("department_id"), 10),
      gender_rule: form.querySelector("input[name=gender_rule]:checked") ? form.querySelector("input[name=gender_rule]:checked").value : "none",
      specialisations: checked.map(function (box) { return box.value; }),
      continuity: form.elements.continuity.checked
    };
    if (value("duration_minutes")) { body.duration_minutes = parseInt(value("duration_minutes"), 10); }
    if (value("dialect")) { body.dialect = value("dialect"); }
    if (value("gender")) { body.gender = value("gender"); }
    if (value("start_occurrence")) { body.start_occurrence = parseInt(value("start_occurrence"), 10); }
    // The count should reflect the applicant's objections in other countries too; the
    // identifier is keyed on the server and never kept.
    if (value("applicant_identifier").trim()) { body.applicant_identifier = value("applicant_identifier"); }
    return body;
  }

  function show(nodes) {
    box.textContent = "";
    nodes.forEach(function (node) { box.appendChild(node); });
    box.hidden = nodes.length === 0;
  }

  function paragraph(text, className) {
    const p = document.createElement("p");
    p.textContent = text;
    if (className) { p.className = className; }
    return p;
  }

  function render(result) {
    const nodes = [];
    if (result.eligible_count > 0) {
      nodes.push(paragraph(t("eligible", { count: result.eligible_count }), "preview-ok"));
    } else if (result.relay) {
      nodes.push(paragraph(t("relay", {
        first: result.relay.first_leg_eligible, second: result.relay.second_leg_eligible,
      }), "preview-warn"));
    } else {
      nodes.push(paragraph(t("nobody_free"), "preview-warn"));
      if (result.suggestions.length) {
        nodes.push(paragraph(t("other_times")));
        const list = document.createElement("ul");
        list.className = "suggestions";
        result.suggestions.forEach(function (item) {
          const li = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.className = "button-quiet";
          button.textContent = t("suggestion", { time: localDateTime(item.start_local), count: item.eligible_count });
          button.addEventListener("click", function () { form.elements.start_local.value = item.start_local; refresh(); });
          li.appendChild(button);
          list.appendChild(li);
        });
        nodes.push(list);
      }
    }
    show(nodes);
  }

  function refresh() {
    const body = payload();
    if (!body.applicant_language || !body.officer_language || !body.start_local) { show([]); return; }
    fetch(form.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (answer.ok) { render(answer.data); return; }
      const problems = (answer.data.invalid_params || []).map(function (p) { return p.reason; });
      show(problems.length ? [paragraph(problems.join(" "), "preview-warn")] : []);
    }).catch(function () { show([]); });
  }

  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 400); });
  form.elements.session_kind.addEventListener("change", function () {
    const minutes = durations[form.elements.session_kind.value];
    if (minutes) { form.elements.duration_minutes.placeholder = minutes; }
  });

  // A live count of the notes' characters; the server refuses notes over the limit (never cut).
  const notes = form.elements.notes;
  const counter = document.getElementById("notes-count");
  if (notes && counter && notes.dataset.maxChars) {
    const most = parseInt(notes.dataset.maxChars, 10);
    const count = function () {
      const used = Array.from(notes.value.trim()).length;
      counter.hidden = false;
      counter.textContent = used + " / " + most;
      counter.className = used > most ? "hint field-error" : "hint";
    };
    notes.addEventListener("input", count);
    count();
  }
  refresh();
}());
