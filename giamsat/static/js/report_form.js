// Report form: remember figures typed but not yet saved, and warn before leaving the page.
function reportForm() {
  return {
    pending: new Set(),
    leaving: false,
    init() {
      window.addEventListener("beforeunload", (event) => {
        if (this.pending.size && !this.leaving) {
          event.preventDefault();
          event.returnValue = "";
        }
      });
    },
    markDirty(event) {
      const row = event.target.closest(".form-row");
      if (row && (event.target.name === "value" || event.target.name === "comment")) this.pending.add(row.id);
    },
    settled(event) {
      // The field was re-rendered by the server: saved unless it now shows an error.
      const row = event.target.closest ? event.target.closest(".form-row") : null;
      const id = row ? row.id : event.target.id;
      const current = id && document.getElementById(id);
      if (current && !current.classList.contains("has-error")) this.pending.delete(id);
    },
  };
}
