// Curation forms on the claim page and the review queue post in the background, so a refused change
// keeps what was typed and shows why beside the form; a saved change reloads the
// page at the changed item. Without JavaScript the same forms post normally and
// Datasette sends staff back to the claim page with its message at the top.
document.querySelectorAll("form[data-curate]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = form.querySelector(".form-message");
    const button = event.submitter || form.querySelector("button[type=submit]");
    // The submitter's own name and value count (the review queue's stance buttons).
    const body = new URLSearchParams(new FormData(form, event.submitter));
    body.set("_json", "1");
    button.disabled = true;
    message.className = "form-message";
    message.textContent = "Saving…";
    try {
      const response = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin", headers: { accept: "application/json" },
      });
      const result = response.ok ? await response.json() : null;
      if (result && result.ok) {
        const pmid = (form.elements.pmid?.value || "").trim();
        history.replaceState(null, "", form.dataset.next || "#evidence-" + pmid);
        location.reload();
        return;
      }
      showError(message, result ? plainMessage(result.message)
        : "Not saved: you may have been signed out. Reload the page, sign in and try again.");
    } catch (error) {
      showError(message, "Not saved: the server could not be reached. Try again in a moment.");
    }
    button.disabled = false;
  });
});

function showError(element, text) {
  element.className = "form-message error";
  element.textContent = text;
}

// SQLite's words for a database kept busy too long, as web/pages.py (BUSY_MESSAGE) says them.
function plainMessage(text) {
  return /database is locked/.test(text)
    ? "Not saved: the database stayed busy with other work for too long. Nothing was changed; please try again in a minute."
    : text;
}
