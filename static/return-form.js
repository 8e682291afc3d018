// The return form: a warning before leaving the page with edits that are not saved yet.
// Without JavaScript the form works the same; this only adds the browser's own "leave the page?" question.
(function () {
  "use strict";
  var form = document.querySelector("form.return-form");
  if (!form) { return; }
  var dirty = false;
  function changed() { dirty = true; }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
}());
