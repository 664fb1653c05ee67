//! A real browser for the console's tests: Debian's headless Chromium driven through its
//! ChromeDriver (WebDriver), each test with its own driver, profile and window. Pages are checked
//! with axe-core (injected through WebDriver, which the pages' script policy does not govern), the
//! browser's console log is read back, and screenshots are saved under `target/screenshots/`.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::served::is_root;

/// Where `scripts/test.sh` put axe-core (`scripts/ensure-browser.sh`).
const AXE_ENV: &str = "ROSTER_AXE";

/// How long a page or an element may take to appear.
const WAIT: Duration = Duration::from_secs(20);

pub struct Browser {
    pub client: Client,
    driver: Child,
    driver_url: String,
    profile: std::path::PathBuf,
    /// The console's origin, `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Browser {
    /// A fresh browser (its own profile, no cookies) for the site at `base`, in a window of
    /// `width` × `height` CSS pixels.
    pub async fn start(base: &str, width: u32, height: u32) -> Self {
        use std::os::unix::process::CommandExt;
        let mut driver = Command::new("chromedriver")
            .arg("--port=0")
            // Its own process group: the browser it starts is ended with it.
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: run scripts/ensure-browser.sh");
        let out = driver.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(port) = line
                    .strip_prefix("ChromeDriver was started successfully on port ")
                    .and_then(|rest| rest.trim_end_matches('.').parse::<u16>().ok())
                {
                    let _ = tx.send(port);
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("chromedriver did not say where it listens");
        let driver_url = format!("http://127.0.0.1:{port}");
        let profile = std::env::temp_dir().join(format!("roster-chromium-{}", ulid::Ulid::new()));
        let mut args = vec![
            "--headless=new".to_owned(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            // Chromium's own traffic: the test machine's network is closed.
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-quic".into(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={width},{height}"),
        ];
        if is_root() {
            // Chromium's sandbox cannot run as root.
            args.push("--no-sandbox".into());
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": "/usr/bin/chromium", "args": args}),
        );
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        // The pages ask before destructive changes (`confirm`): the tests say yes.
        caps.insert("unhandledPromptBehavior".into(), json!("accept"));
        // Plain HTTP: the driver listens on loopback only.
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&driver_url)
            .await
            .expect("chromedriver started no browser");
        Self {
            client,
            driver,
            driver_url,
            profile,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// Opens `path` of the site.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    }

    /// The path (and query) of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        url.as_str()
            .strip_prefix(&self.base)
            .unwrap_or(url.as_str())
            .to_owned()
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("no element {css} on {}: {e}", self.path().await),
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.unwrap().len()
    }

    /// Replaces the text of the field `css` with `text`, as typed.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// Clicks `css` (a submit button) and waits until the page it leads to has loaded.
    pub async fn submit(&self, css: &str) {
        let old = self.find("body").await;
        self.click(css).await;
        let deadline = Instant::now() + WAIT;
        // The old page's body goes stale once the next page replaces it.
        while old.tag_name().await.is_ok() {
            assert!(Instant::now() < deadline, "{css} led to no new page");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.find("body").await;
    }

    /// The text of `css` (found again if the page replaced it meanwhile: a refreshing part).
    pub async fn text(&self, css: &str) -> String {
        let mut tries = 0;
        loop {
            match self.find(css).await.text().await {
                Ok(text) => return text,
                Err(e) if tries < 5 => {
                    tries += 1;
                    let _ = e;
                }
                Err(e) => panic!("cannot read {css}: {e}"),
            }
        }
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> String {
        self.text("body").await
    }

    /// Runs `script` in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Saves a screenshot as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// axe-core's violations of impact "serious" or "critical" on the page shown, each as
    /// `rule: target …`.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let path = std::env::var(AXE_ENV).unwrap_or_else(|_| {
            panic!(
                "run the suite with scripts/test.sh, which installs axe-core \
                 (scripts/ensure-browser.sh), or set {AXE_ENV}"
            )
        });
        let axe = std::fs::read_to_string(&path).unwrap();
        self.client.execute(&axe, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']})
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                        targets: v.nodes.map(n => n.target.join(' '))}))))
                    .catch(e => done([{id: 'axe-failed', impact: 'critical', targets: [String(e)]}]));",
                vec![],
            )
            .await
            .unwrap();
        (result.as_array().into_iter().flatten())
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| format!("{}: {}", v["id"], v["targets"]))
            .collect()
    }

    /// What the browser's console logged at level SEVERE since the last call (errors: a failed
    /// script, a refused policy, a failed request).
    pub async fn console_errors(&self) -> Vec<String> {
        let session = self.client.session_id().await.unwrap().unwrap_or_default();
        let log: Value = reqwest::Client::new()
            .post(format!("{}/session/{session}/se/log", self.driver_url))
            .json(&json!({"type": "browser"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (log["value"].as_array().into_iter().flatten())
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// The page is accessible (no serious or critical axe violation), logged no error, and is
    /// saved as a screenshot named `name`.
    pub async fn check_page(&self, name: &str) {
        self.screenshot(name).await;
        let violations = self.accessibility_violations().await;
        assert!(violations.is_empty(), "{name}: axe found {violations:#?}");
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "{name}: the browser logged {errors:#?}");
    }

    /// The value of the session cookie (WebDriver sees HttpOnly cookies; pages do not).
    pub async fn cookie(&self, name: &str) -> Option<String> {
        let cookies = self.client.get_all_cookies().await.unwrap();
        cookies
            .into_iter()
            .find(|c| c.name() == name)
            .map(|c| c.value().to_owned())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the driver and the browser it started (their process group): closing the session
        // politely would need a runtime.
        // SAFETY: signalling a process group of our own making.
        unsafe { libc::kill(-(self.driver.id() as i32), libc::SIGKILL) };
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Browser {
    /// Presses `key` (text, or a special key such as `Key::Tab`) in the element that has focus.
    pub async fn press(&self, key: &str) {
        let focused = self.client.active_element().await.unwrap();
        focused.send_keys(key).await.unwrap();
    }

    /// The focused element: its id (or tag), and whether it shows a focus outline.
    pub async fn focused(&self) -> (String, bool) {
        let v = self
            .eval(
                "const e = document.activeElement; const s = getComputedStyle(e);
                 return [e.id || e.tagName.toLowerCase(),
                         s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0];",
            )
            .await;
        (
            v[0].as_str().unwrap_or_default().to_owned(),
            v[1].as_bool().unwrap_or(false),
        )
    }

    /// Resizes the window to `width` × `height`.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }
}
