// Booking form: tells the caseworker, while she fills it in, how many interpreters fit,
// whether a relay through English is needed, or which other times would work.
(function () {
  "use strict";
  var form = document.getElementById("booking-form");
  if (!form) { return; }
  var box = document.getElementById("preview");
  var token = form.querySelector("input[name=csrf_token]").value;
  var durations = JSON.parse(form.dataset.durations || "{}");
  var timer = null;

  function value(name) {
    var element = form.elements[name];
    return element ? element.value : "";
  }

  function payload() {
    var checked = Array.prototype.slice.call(form.querySelectorAll("input[name=specialisations]:checked"));
    var body = {
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
    var p = document.createElement("p");
    p.textContent = text;
    if (className) { p.className = className; }
    return p;
  }

  function render(result) {
    var nodes = [];
    if (result.eligible_count > 0) {
      nodes.push(paragraph(result.eligible_count + (result.eligible_count === 1 ? " interpreter fits." : " interpreters fit."), "preview-ok"));
    } else if (result.relay) {
      nodes.push(paragraph("No one interprets this pair directly. RRIS will book a relay through English: two interpreters ("
        + result.relay.first_leg_eligible + " and " + result.relay.second_leg_eligible + " available).", "preview-warn"));
    } else {
      nodes.push(paragraph("No interpreter is free at that time.", "preview-warn"));
      if (result.suggestions.length) {
        nodes.push(paragraph("These times would work:"));
        var list = document.createElement("ul");
        list.className = "suggestions";
        result.suggestions.forEach(function (item) {
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button-quiet";
          button.textContent = item.start_local.replace("T", " ") + " (" + item.eligible_count + ")";
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
    var body = payload();
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
      var problems = (answer.data.invalid_params || []).map(function (p) { return p.reason; });
      show(problems.length ? [paragraph(problems.join(" "), "preview-warn")] : []);
    }).catch(function () { show([]); });
  }

  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 400); });
  form.elements.session_kind.addEventListener("change", function () {
    var minutes = durations[form.elements.session_kind.value];
    if (minutes) { form.elements.duration_minutes.placeholder = minutes; }
  });

  // A live count of the notes' characters; the server refuses notes over the limit (never cut).
  var notes = form.elements.notes;
  var counter = document.getElementById("notes-count");
  if (notes && counter && notes.dataset.maxChars) {
    var most = parseInt(notes.dataset.maxChars, 10);
    var count = function () {
      var used = Array.from(notes.value.trim()).length;
      counter.hidden = false;
      counter.textContent = used + " / " + most;
      counter.className = used > most ? "hint field-error" : "hint";
    };
    notes.addEventListener("input", count);
    count();
  }
  refresh();
}());
