// Small page behaviours declared with data- attributes, because the Content-Security-Policy
// refuses inline handlers (onclick=, onsubmit=, javascript: links). Listeners sit on the
// document, so content swapped in by HTMX behaves the same.
//   <form data-confirm="Question?">   ask before submitting
//   <select data-autosubmit>          submit the form when the choice changes
//   <button data-dismiss=".explain">  remove the closest element matching the selector
//   <a href="/x/" data-history-back> go back in the history (the link is the fallback)
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var target = dismiss.closest(dismiss.dataset.dismiss);
      if (target) target.remove();
      return;
    }
    var back = event.target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
