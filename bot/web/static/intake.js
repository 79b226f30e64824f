// The telephone intake form: hide the questions whose condition does not hold (without
// this script they are all shown, each with a note saying when it applies; the server
// ignores the answers to questions that do not apply either way). After a refused
// submit, focus moves to the list of problems at the top.
(function () {
  "use strict";

  function chosen(form, name) {
    var values = [];
    var inputs = form.querySelectorAll("[name='" + name + "']");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) continue;
      if (input.closest("[hidden]")) continue; // a hidden question's answer does not count
      if (input.value) values.push(input.value);
    }
    return values;
  }

  function update(form) {
    // In form order: a question's condition looks at earlier questions only, so one pass
    // settles chains (a question depending on one that is hidden is hidden too).
    var questions = form.querySelectorAll("[data-when-step]");
    for (var i = 0; i < questions.length; i++) {
      var question = questions[i];
      var wanted = question.getAttribute("data-when-choices").split(" ");
      var given = chosen(form, question.getAttribute("data-when-step"));
      var applies = given.some(function (value) {
        return wanted.indexOf(value) !== -1;
      });
      question.hidden = !applies;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("intake-form");
    if (!form) return;
    form.classList.add("scripted");
    update(form);
    form.addEventListener("change", function () {
      update(form);
    });
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();
