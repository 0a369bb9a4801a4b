// A printed page says where and when it was printed: its full address (the build may know only
// the path) and today's date.
const address = document.querySelector('[data-print="address"]');
const date = document.querySelector('[data-print="date"]');
function stamp() {
  if (address) address.textContent = location.href.split("#")[0];
  if (date) {
    date.textContent = " on " + new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  }
}
stamp();
window.addEventListener("beforeprint", stamp);
