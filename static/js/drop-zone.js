/* Luma Studio: file fields that take a drop, a paste or a pick, with a preview and a remove
   button. Without script each stays a plain file picker; the server checks every file. */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };

  function frameUrlInput(input) {
    // The address field beside this upload (in the same .frame-pair), if any.
    var pair = input.closest(".frame-pair");
    return pair ? pair.querySelector("input[data-image-preview]") : null;
  }

  function setFiles(input, files) {
    var transfer = new DataTransfer();
    transfer.items.add(files[0]);
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function fileFrom(list, kind) {
    for (var i = 0; i < list.length; i += 1) {
      var file = list[i];
      if (kind === "video" ? /^video\//.test(file.type) || /\.mp4$/i.test(file.name)
                           : /^image\//.test(file.type) || /\.hei[cf]$/i.test(file.name)) {
        return file;
      }
    }
    return null;
  }

  function bind(input) {
    if (input.dataset.bound) return;
    input.dataset.bound = "1";
    var kind = input.dataset.dropZone;
    var zone = document.createElement("div");
    zone.className = "drop-zone";
    zone.dataset.testid = "drop-zone";
    input.parentNode.insertBefore(zone, input);
    var hint = document.createElement("p");
    hint.className = "drop-hint";
    hint.textContent = kind === "video"
      ? gettext("Drop an MP4 here, or choose one.")
      : gettext("Drop an image here, paste one, or choose one.");
    zone.appendChild(hint);
    zone.appendChild(input);
    var preview = document.createElement("div");
    preview.className = "drop-preview";
    preview.hidden = true;
    zone.appendChild(preview);
    var objectUrl = null;

    function clearPreview() {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      objectUrl = null;
      preview.textContent = "";
      preview.hidden = true;
      zone.classList.remove("has-file");
    }

    function showPreview() {
      clearPreview();
      var file = input.files && input.files[0];
      if (!file) return;
      zone.classList.add("has-file");
      objectUrl = URL.createObjectURL(file);
      var media;
      if (kind === "video") {
        media = document.createElement("video");
        media.muted = true;
        media.controls = true;
      } else {
        media = document.createElement("img");
        media.alt = gettext("Preview of the chosen image");
        // HEIC photos do not show in most browsers: the name below says what was chosen.
        media.addEventListener("error", function () { media.hidden = true; });
      }
      media.src = objectUrl;
      preview.appendChild(media);
      var name = document.createElement("p");
      name.className = "muted";
      name.textContent = file.name;
      preview.appendChild(name);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button-small button-secondary";
      remove.textContent = gettext("Remove");
      remove.addEventListener("click", function () {
        input.value = "";
        clearPreview();
        input.focus();
      });
      preview.appendChild(remove);
      preview.hidden = false;
      // A file replaces an address typed for the same frame.
      var url = frameUrlInput(input);
      if (url && url.value) {
        url.value = "";
        url.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    input.addEventListener("change", showPreview);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var file = fileFrom(event.dataTransfer.files, kind);
      if (file) setFiles(input, [file]);
    });
  }

  // A pasted image goes to the image field that has focus, else to the first empty one.
  document.addEventListener("paste", function (event) {
    var data = event.clipboardData;
    if (!data || !data.files || !data.files.length) return;
    var file = fileFrom(data.files, "image");
    if (!file) return;
    var inputs = Array.prototype.slice.call(document.querySelectorAll('input[data-drop-zone="image"]'));
    var active = document.activeElement;
    var target = inputs.filter(function (input) { return input.closest(".field").contains(active); })[0]
      || inputs.filter(function (input) { return !input.files.length && !input.disabled; })[0];
    if (!target) return;
    event.preventDefault();
    setFiles(target, [file]);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[type=file][data-drop-zone]").forEach(bind);
  });
})();
