#!/usr/bin/env python3
"""Drives the dashboard in headless Chromium (Debian's chromium and chromium-driver, through
Selenium) against real `vellum serve` nodes on loopback:

  - the overview shows the writer's size and root;
  - the network page shows the mirror in the writer's sync group and the forked peer with its
    first divergent index and the two entries side by side, and follows the writer live;
  - an entry's inclusion proof verifies in the browser, and fails visibly when a proxy in front
    of the node changes one byte of the proof; an entry the signed checkpoint does not cover yet
    is called that, not verified;
  - no request leaves 127.0.0.1 and the console has no errors.

    dashboard_test.py BIN_DIR SCREENSHOT_DIR

Screenshots of each page go to SCREENSHOT_DIR. Exits 0 when every check passes.
"""
import http.client
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

DEADLINE_S = 30
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(vellum, *args):
    r = subprocess.run([vellum, *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise SystemExit(f"vellum {' '.join(args)} failed: {r.stderr}")
    return r.stdout


class Node:
    """A `vellum serve` child; its first stdout line is the port."""

    def __init__(self, vellum, ledger, *extra, listen="127.0.0.1:0"):
        self.proc = subprocess.Popen([vellum, "serve", ledger, "--listen", listen, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def status(self):
        with urllib.request.urlopen(self.url + "/v1/status", timeout=10) as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)


class TamperingProxy:
    """Forwards to `upstream`, changing one hex digit of every inclusion proof it passes on; or,
    given `checkpoint`, passing everything on but answering /checkpoint with that text."""

    def __init__(self, upstream_port, checkpoint=None):
        upstream = upstream_port

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if checkpoint is not None and self.path == "/checkpoint":
                    body = checkpoint.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=10)
                conn.request("GET", self.path)
                answer = conn.getresponse()
                body = answer.read()
                if (checkpoint is None and self.path.startswith("/v1/proof/inclusion") and
                        answer.status == 200):
                    doc = json.loads(body)
                    first = doc["proof"][0]
                    doc["proof"][0] = ("1" if first[0] != "1" else "2") + first[1:]
                    body = json.dumps(doc).encode()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


SHOTS = "."


def wait_for(driver, condition, what):
    try:
        return WebDriverWait(driver, DEADLINE_S, poll_frequency=0.2,
                             ignored_exceptions=(StaleElementReferenceException,
                                                 NoSuchElementException)).until(
            lambda d: condition(d))
    except Exception:
        check(False, what + " (timed out)")
        name = "".join(c if c.isalnum() else "-" for c in what)
        driver.save_screenshot(os.path.join(SHOTS, f"timed-out-{name}.png"))
        return None


def text_of(driver, css):
    """The text of the first element `css` finds, "" if none: the page re-renders its live views
    every two seconds, so an element found may be replaced before it is read."""
    for _ in range(5):
        try:
            found = driver.find_elements(By.CSS_SELECTOR, css)
            return found[0].text if found else ""
        except StaleElementReferenceException:
            continue
    return ""


def main():
    global SHOTS
    bin_dir, shots = sys.argv[1], sys.argv[2]
    SHOTS = shots
    vellum = os.path.abspath(os.path.join(bin_dir, "vellum"))
    os.makedirs(shots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="vellum-dashboard-")
    nodes, driver = [], None
    try:
        os.chdir(work)
        run(vellum, "init", "w.db", "--origin", "example.com/dash")
        events = [f"event {i}" for i in range(30)]
        run(vellum, "append", "w.db", *events, "--time", "2026-11-25T09:00:00Z")
        # Another ledger of the same log with the same key, whose history parts at index 10.
        run(vellum, "init", "f.db", "--origin", "example.com/dash", "--key", "w.db.key")
        run(vellum, "append", "f.db", *events[:10], "mallory was here", "--time",
            "2026-11-25T09:00:00Z")
        vkey = run(vellum, "key", "w.db").strip()

        writer = Node(vellum, "w.db")
        mirror = Node(vellum, "m.db", "--upstream", writer.url, "--upstream-vkey", vkey,
                      "--poll-interval", "100")
        forked = Node(vellum, "f.db", "--key", "w.db.key")
        nodes += [mirror, forked]
        # The writer again on its port, now watching the mirror and the fork.
        port = writer.port
        writer.stop()
        writer = Node(vellum, "w.db", "--peer", mirror.url, "--peer", forked.url,
                      "--poll-interval", "200", listen=f"127.0.0.1:{port}")
        nodes.append(writer)
        proxy = TamperingProxy(writer.port)
        status = writer.status()

        options = Options()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                     "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(
            service=Service(executable_path=shutil.which("chromedriver") or
                            "/usr/bin/chromedriver"), options=options)

        # Overview.
        driver.get(writer.url + "/")
        wait_for(driver, lambda d: text_of(d, "#size") == "30", "the overview shows size 30")
        check(text_of(driver, "#size") == "30", "overview: size 30")
        check(text_of(driver, "#root") == status["root"], "overview: the writer's root")
        check("example.com/dash" in text_of(driver, "#checkpoint"),
              "overview: the signed checkpoint")
        driver.save_screenshot(os.path.join(shots, "overview.png"))

        # Network: the mirror in the writer's group, the fork at 10 with both entries.
        driver.get(writer.url + "/#network")
        mirror_row = f'tr[data-peer="{mirror.url}"]'
        fork_row = f'tr[data-peer="{forked.url}"]'

        def network_ready(d):
            rows = {r.get_attribute("data-peer"): r for r in
                    d.find_elements(By.CSS_SELECTOR, "#peers tr[data-peer]")}
            return (mirror.url in rows and forked.url in rows and
                    "forked at 10" in rows[forked.url].text and
                    rows[mirror.url].get_attribute("data-group") ==
                    rows["self"].get_attribute("data-group") != "" and
                    d.find_elements(By.CSS_SELECTOR, '.fork[data-index="10"] .side'))
        wait_for(driver, network_ready, "the network shows the mirror and the fork")
        self_group = driver.find_element(By.CSS_SELECTOR, 'tr[data-peer="self"]')
        check(driver.find_element(By.CSS_SELECTOR, mirror_row).get_attribute("data-group") ==
              self_group.get_attribute("data-group"), "network: the mirror is in the writer's group")
        check("forked at 10" in text_of(driver, fork_row), "network: the peer forked at 10")
        fork_text = text_of(driver, '.fork[data-index="10"]')
        check("event 10" in fork_text and "mallory was here" in fork_text,
              "network: the two entries at index 10 side by side")
        driver.save_screenshot(os.path.join(shots, "network.png"))

        # Live: the writer appends; the overview follows without reloading.
        driver.get(writer.url + "/#overview")
        wait_for(driver, lambda d: text_of(d, "#size") == "30", "overview before the append")
        # Beside the node: another process writes. Its right-to-left override is shown, not
        # obeyed (drawn, "\u202egnp.exe" reads "exe.png").
        run(vellum, "append", "w.db", "one more \u202egnp.exe")
        wait_for(driver, lambda d: text_of(d, "#size") == "31", "the overview follows appends")
        check(text_of(driver, "#size") == "31", "overview: live size 31 after an append")

        # Entries and an entry verified in the browser.
        driver.get(writer.url + "/#entries")
        wait_for(driver, lambda d: "event 29" in text_of(d, "#entry-list"), "the entry list")
        check(text_of(driver, "#entry-list").find("one more") <
              text_of(driver, "#entry-list").find("event 29"), "entries: newest first")
        check("one more \\u202egnp.exe" in text_of(driver, "#entry-list"),
              "entries: a right-to-left override is shown as \\u202e, not obeyed")
        driver.save_screenshot(os.path.join(shots, "entries.png"))
        driver.get(writer.url + "/#entry/5")
        verdict = wait_for(driver, lambda d: d.find_element(By.ID, "verdict").get_attribute(
            "data-result"), "the entry's proof is checked")
        check(verdict == "pass", "entry 5: the proof verifies in the browser")
        check("VERIFIED" in text_of(driver, "#verdict"), "entry 5: says VERIFIED")
        driver.save_screenshot(os.path.join(shots, "entry-verified.png"))

        # A reader who pins another key (here: of a stranger's ledger) is not fooled by the node.
        run(vellum, "init", "s.db", "--origin", "example.com/dash")
        stranger = run(vellum, "key", "s.db").strip()
        driver.get(writer.url + "/#overview")
        driver.refresh()  # a fresh page: the form is drawn once, and live refreshes leave it be
        pin = wait_for(driver, lambda d: [p for p in d.find_elements(By.ID, "pin")
                                          if p.is_displayed()], "the key form")
        if pin:
            pin[0].clear()
            pin[0].send_keys(stranger)
            driver.find_element(By.CSS_SELECTOR, "#pin-form button").click()
            driver.get(writer.url + "/#entry/5")
            driver.refresh()
            verdict = wait_for(driver, lambda d: d.find_element(By.ID, "verdict").get_attribute(
                "data-result"), "the entry is checked with the pinned key")
            check(verdict == "fail" and "no signature by" in text_of(driver, "#checks"),
                  "entry 5 with another pinned key: refused, saying the signature is not there")
            driver.execute_script("localStorage.clear()")

        # The same page through the proxy that changes the proof: a visible failure.
        driver.get(proxy.url + "/#entry/5")
        verdict = wait_for(driver, lambda d: d.find_element(By.ID, "verdict").get_attribute(
            "data-result"), "the changed proof is checked")
        check(verdict == "fail", "entry 5 through the proxy: the changed proof fails")
        check("FAILED" in text_of(driver, "#verdict"), "entry 5 through the proxy: says FAILED")
        check("does NOT rebuild" in text_of(driver, "#checks"),
              "entry 5 through the proxy: says which check failed")
        driver.save_screenshot(os.path.join(shots, "entry-tampered.png"))

        # A checkpoint signed by the same key but older than the entry (here: of a one-entry
        # ledger of the same log) does not cover it: the page says so instead of verifying.
        run(vellum, "init", "one.db", "--origin", "example.com/dash", "--key", "w.db.key")
        run(vellum, "append", "one.db", "event 0", "--time", "2026-11-25T09:00:00Z")
        older_checkpoint = run(vellum, "checkpoint", "one.db", "--key", "w.db.key")
        older = TamperingProxy(writer.port, checkpoint=older_checkpoint)
        driver.get(older.url + "/#entry/5")
        verdict = wait_for(driver, lambda d: d.find_element(By.ID, "verdict").get_attribute(
            "data-result"), "the entry is checked against the older checkpoint")
        check(verdict == "fail" and "NOT YET SIGNED" in text_of(driver, "#verdict"),
              "entry 5 against a checkpoint of size 1: says NOT YET SIGNED")
        check("covers 1 entry: this one is not in it yet" in text_of(driver, "#checks"),
              "entry 5 against a checkpoint of size 1: says what the checkpoint covers")

        # Nothing left the machine, nothing went wrong in the page.
        urls = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        outside = [u for u in urls if not u.startswith("http://127.0.0.1:")]
        check(len(urls) > 10 and not outside, f"{len(urls)} requests, none outside 127.0.0.1 "
              f"{outside[:3]}")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        check(not errors, f"no console errors {errors[:3]}")
    finally:
        if driver:
            driver.quit()
        for n in nodes:
            try:
                n.stop()
            except Exception:
                n.proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
