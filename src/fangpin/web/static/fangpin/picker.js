// The division picker of a list's filter: choosing a county or a township reloads the form, so the next drop-down
// lists that unit's townships or villages at once (without script, the 查询 button does the same).
(function () {
  document.querySelectorAll("form select[name=county], form select[name=township]").forEach(function (select) {
    select.addEventListener("change", function () {
      var form = select.form;
      if (!form || (form.method || "get").toLowerCase() !== "get") return;
      var below = select.name === "county" ? ["township", "village"] : ["village"];
      below.forEach(function (name) { var el = form.elements[name]; if (el) el.value = ""; });
      form.submit();
    });
  });
})();

// A form whose action cannot be undone in one click (a bulk enrollment) asks first: data-confirm holds the question.
(function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
