// The live dashboard: the signal list and a signal's page follow changes without a reload.
// An enhancement only: without it (or without EventSource) every page works as before.
// The stream says which references changed; the list fetches its own rows again over the
// page's own address (its filter, its login), so the stream carries nothing personal.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var news = root.querySelector("[data-live-news]");
  var reference = root.getAttribute("data-live-signal");
  var baseTitle = document.title;
  var unseen = 0; // new signals since the staff member last looked at the page
  var fresh = {}; // references that arrived while the page was open
  var STORED = "signaalpunt.notify";

  function rows(scope) {
    return Array.prototype.slice.call(scope.querySelectorAll("tr[data-reference]"));
  }

  function announce(text) {
    if (!news) { return; }
    // Emptied first, so the same words twice are announced twice.
    news.textContent = "";
    window.setTimeout(function () { news.textContent = text; }, 50);
  }

  function counted(count) {
    var form = root.getAttribute(count === 1 ? "data-new-one" : "data-new-many");
    return form.replace("%(num)d", String(count));
  }

  function showTitle() {
    document.title = unseen > 0 ? "(" + unseen + ") " + baseTitle : baseTitle;
  }

  function lookedAt() {
    if (document.visibilityState === "visible" && unseen > 0) {
      unseen = 0;
      showTitle();
    }
  }
  ["focus", "pointerdown", "keydown"].forEach(function (name) {
    window.addEventListener(name, lookedAt);
  });
  document.addEventListener("visibilitychange", lookedAt);

  // Browser notifications: asked for on a click only, the choice kept in this browser.
  var toggle = root.querySelector("[data-notify]");
  var blocked = root.querySelector("[data-notify-blocked]");

  function notifying() {
    return window.Notification && Notification.permission === "granted" &&
      window.localStorage.getItem(STORED) === "on";
  }

  function showToggle() {
    if (!toggle) { return; }
    toggle.setAttribute("aria-pressed", notifying() ? "true" : "false");
    if (blocked) { blocked.hidden = !(window.Notification && Notification.permission === "denied"); }
  }

  if (toggle && window.Notification && window.localStorage) {
    toggle.hidden = false;
    toggle.parentNode.hidden = false;
    showToggle();
    toggle.addEventListener("click", function () {
      if (notifying()) {
        window.localStorage.setItem(STORED, "off");
        showToggle();
        return;
      }
      var asked = Notification.permission === "granted"
        ? Promise.resolve("granted") : Promise.resolve(Notification.requestPermission());
      asked.then(function (answer) {
        window.localStorage.setItem(STORED, answer === "granted" ? "on" : "off");
        showToggle();
      });
    });
  }

  function notify(row) {
    if (!notifying()) { return; }
    var ref = row.getAttribute("data-reference");
    var urgent = row.getAttribute("data-urgent") === "1";
    // Only the reference and the urgency: a notification shows on a locked screen.
    var shown = new Notification(root.getAttribute("data-notice-title").replace("%(reference)s", ref), {
      body: urgent ? root.getAttribute("data-urgent-text") : "",
      tag: ref,
      requireInteraction: urgent
    });
    shown.onclick = function () { window.focus(); shown.close(); };
  }

  function mark(scope) {
    rows(scope).forEach(function (row) {
      if (!fresh[row.getAttribute("data-reference")]) { return; }
      row.classList.add("live-new");
      var cell = row.querySelector("th");
      if (cell && !cell.querySelector(".badge.new")) {
        var badge = document.createElement("span");
        badge.className = "badge new";
        badge.textContent = root.getAttribute("data-new-badge");
        cell.appendChild(document.createTextNode(" "));
        cell.appendChild(badge);
      }
    });
  }

  var fetching = false;
  var again = false;

  var pending = []; // references created, not yet looked for in the list

  function refresh() {
    var list = document.querySelector("[data-live-list]");
    if (!list) { return; }
    if (fetching) { again = true; return; }
    fetching = true;
    var created = pending;
    pending = [];
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Signaalpunt-Live": "1" } })
      .then(function (answer) {
        if (answer.redirected || !answer.ok) { throw new Error("list not fetched"); }
        return answer.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var replacement = page.querySelector("[data-live-list]");
        if (!replacement) { return; }
        var focused = document.activeElement && list.contains(document.activeElement)
          ? document.activeElement.getAttribute("href") : null;
        var arrived = rows(replacement).filter(function (row) {
          var ref = row.getAttribute("data-reference");
          return created.indexOf(ref) >= 0 && !fresh[ref];
        });
        arrived.forEach(function (row) { fresh[row.getAttribute("data-reference")] = true; });
        mark(replacement);
        list.replaceWith(replacement);
        if (focused) {
          var link = replacement.querySelector("a[href='" + focused.replace(/'/g, "") + "']");
          if (link) { link.focus(); }
        }
        if (arrived.length) {
          unseen += arrived.length;
          showTitle();
          announce(counted(arrived.length));
          arrived.forEach(notify);
        }
      })
      .catch(function () { /* the page stays as it was; a reload shows the rest */ })
      .then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  var stream = new EventSource(root.getAttribute("data-live"));
  stream.addEventListener("signals", function (event) {
    var data;
    try { data = JSON.parse(event.data); } catch (ignored) { return; }
    if (reference) {
      if (data.reset || (data.changed || []).indexOf(reference) >= 0) {
        var notice = root.querySelector("[data-live-notice]");
        if (notice && notice.hidden) {
          notice.hidden = false;
          announce(notice.textContent.trim());
        }
      }
      return;
    }
    pending = pending.concat(data.created || []);
    refresh();
  });
  window.addEventListener("pagehide", function () { stream.close(); });
})();
