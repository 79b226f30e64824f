// The web chat works without this file. With it, each page load puts the focus on the
// newest message (so a screen reader reads it; its buttons or the text field come next),
// or, after a multi-select toggle, back on the toggled choice; and where the browser can
// record, a button records a voice message.
(function () {
  "use strict";
  function focusLatest() {
    var target = null;
    if (window.location.hash.indexOf("#choice-") === 0) {
      target = document.getElementById(window.location.hash.slice(1));
    }
    if (!target) {
      target = document.getElementById("latest");
    }
    if (target) {
      target.focus({ preventScroll: false });
      if (target.scrollIntoView) {
        target.scrollIntoView({ block: "nearest" });
      }
    }
  }

  // The record button: shown only where the browser can record (a secure page, a
  // microphone, MediaRecorder). The recording goes up as it is, and the page reloads with
  // the answer; the server checks its length and size again.
  function canRecord() {
    return Boolean(
      window.isSecureContext &&
        navigator.mediaDevices &&
        typeof navigator.mediaDevices.getUserMedia === "function" &&
        typeof window.MediaRecorder === "function"
    );
  }
  function recordingType() {
    var types = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus", "audio/webm", "audio/mp4"];
    for (var i = 0; i < types.length; i += 1) {
      if (window.MediaRecorder.isTypeSupported && window.MediaRecorder.isTypeSupported(types[i])) {
        return types[i];
      }
    }
    return "";
  }
  function clock(seconds) {
    var whole = Math.floor(seconds);
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }
  function setUpVoice() {
    var box = document.getElementById("chat-voice");
    if (!box || !canRecord()) {
      return;
    }
    var button = box.querySelector(".chat-record");
    var label = box.querySelector(".chat-record-label");
    var cancel = box.querySelector(".chat-record-cancel");
    var status = box.querySelector(".chat-voice-status");
    var idleLabel = label.textContent;
    var most = parseInt(box.getAttribute("data-max-seconds"), 10) || 120;
    var recorder = null;
    var stream = null;
    var chunks = [];
    var timer = null;
    var started = 0;
    var dropped = false;
    box.hidden = false;

    function tick() {
      var seconds = (Date.now() - started) / 1000;
      status.textContent = box.getAttribute("data-recording")
        .replace("%(time)s", clock(seconds))
        .replace("%(max)s", clock(most));
      if (seconds >= most && recorder && recorder.state === "recording") {
        recorder.stop();
      }
    }
    function idle() {
      window.clearInterval(timer);
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
      }
      recorder = null;
      stream = null;
      label.textContent = idleLabel;
      button.setAttribute("aria-pressed", "false");
      cancel.hidden = true;
    }
    function send() {
      var type = (recorder && recorder.mimeType) || "audio/webm";
      var note = new Blob(chunks, { type: type });
      idle();
      if (dropped || note.size === 0) {
        status.textContent = "";
        return;
      }
      status.textContent = box.getAttribute("data-sending");
      button.disabled = true;
      window.fetch(box.getAttribute("data-url"), {
        method: "POST",
        body: note,
        headers: { "Content-Type": type.split(";")[0] },
        credentials: "same-origin"
      }).then(function () {
        window.location.href = "/chat";
      }, function () {
        status.textContent = box.getAttribute("data-failed");
        button.disabled = false;
      });
    }
    function start() {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (microphone) {
        var type = recordingType();
        stream = microphone;
        chunks = [];
        dropped = false;
        recorder = type ? new window.MediaRecorder(microphone, { mimeType: type })
          : new window.MediaRecorder(microphone);
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size > 0) {
            chunks.push(event.data);
          }
        });
        recorder.addEventListener("stop", send);
        recorder.start(1000);
        started = Date.now();
        timer = window.setInterval(tick, 250);
        tick();
        label.textContent = box.getAttribute("data-stop");
        button.setAttribute("aria-pressed", "true");
        cancel.hidden = false;
      }, function () {
        status.textContent = box.getAttribute("data-denied");
      });
    }
    button.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") {
        recorder.stop();
      } else if (!recorder) {
        start();
      }
    });
    cancel.addEventListener("click", function () {
      dropped = true;
      if (recorder && recorder.state === "recording") {
        recorder.stop();
      }
    });
  }
  function ready() {
    focusLatest();
    setUpVoice();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
// The page a mail's link opens: its one-time token leaves the address bar (and this
// history entry) at once, so a shared computer's address bar does not keep it.
(function () {
  "use strict";
  if (document.querySelector("[data-link-opens]") && window.history.replaceState) {
    window.history.replaceState(null, "", "/chat/open");
  }
})();
