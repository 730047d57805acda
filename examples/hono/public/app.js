// The browser side of the example: forms and buttons call the Portcullis routes with fetch.
// Same-origin fetch sends the session cookie and an Origin header, which the CSRF check expects.
const message = (text) => {
  document.getElementById("message").textContent = text ?? "";
};

async function callAuth(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(data?.error?.message ?? `HTTP ${response.status}`);
  return data;
}

// Where to go after signing in comes from the page (`data-then="go:/dashboard"`): the server
// decided it with safeRedirectPath from "portcullis", so `?next=` is never read here, where a
// hand-written check would miss `/%09/evil.example` or `/%5Cevil.example`.
function then(action) {
  if (action === "reload") location.reload();
  else if (action?.startsWith("go:")) location.assign(action.slice(3));
  else if (action?.startsWith("say:")) message(action.slice(4));
}

const run = (work) => work().catch((error) => message(error.message));

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-auth]");
  if (!form) return;
  event.preventDefault();
  const fields = Object.fromEntries([...new FormData(form)].filter(([, value]) => value !== ""));
  run(async () => {
    await callAuth("POST", form.dataset.auth, fields);
    then(form.dataset.then);
  });
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.dataset.call) {
    const [method, path] = button.dataset.call.split(" ");
    run(async () => {
      await callAuth(method, path);
      then(button.dataset.then);
    });
  } else if (button.hasAttribute("data-passkey-add")) {
    run(async () => {
      const optionsJSON = await callAuth("POST", "/auth/passkey/register/options", {});
      const response = await SimpleWebAuthnBrowser.startRegistration({ optionsJSON });
      const name = prompt("A name for this passkey", "My laptop");
      await callAuth("POST", "/auth/passkey/register/verify", { response, name });
      location.reload();
    });
  } else if (button.hasAttribute("data-passkey-sign-in")) {
    run(async () => {
      const optionsJSON = await callAuth("POST", "/auth/passkey/login/options", {});
      const response = await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
      await callAuth("POST", "/auth/passkey/login/verify", response);
      then(button.dataset.then);
    });
  }
});
