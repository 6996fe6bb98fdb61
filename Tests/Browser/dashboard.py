"""Shared helpers of the dashboard's browser test and screenshot script: a headless Chromium, the
REST API through urllib, and a static site packed as the CLI packs uploads."""
import io
import json
import shutil
import tarfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def browser(width=1280, height=900):
    """Debian's chromium, headless, through its chromedriver (no driver download)."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


class API:
    """The server's REST API as the dashboard calls it."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.token = None

    def call(self, method, path, body=None, raw=None, content_type="application/json"):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return json.loads(text) if text else None

    def signup(self, email, password):
        self.token = self.call("POST", "/auth/signup", {"email": email, "password": password})["token"]
        return self.token


def static_site(files):
    """A gzip'd tar of `files` (name -> text), as `railyard up` uploads."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def wait(driver, seconds, condition, message):
    """Waits for `condition(driver)` to be truthy; returns its value."""
    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d), message)


def texts(driver, selector):
    """The text of every element matching `selector`, read in the page in one step (the dashboard
    re-renders rows as events arrive, so elements held across calls can go stale)."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((e) => e.offsetParent === null ? null : e.textContent)", selector)


def log_in(driver, url, email, password):
    """Logs in through the login form and waits for the projects page."""
    driver.get(url.rstrip("/") + "/")
    wait(driver, 20, lambda d: d.find_elements(By.ID, "login-form"), "the login form never showed")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    wait(driver, 20, lambda d: d.find_elements(By.ID, "projects"), "the projects page never showed after logging in")


def service_ids(driver):
    """(project, environment, service) ids of the service page shown."""
    parts = driver.execute_script("return location.hash").split("/")
    return parts[2], parts[4], parts[6]


def browser_errors(driver):
    """The browser console's errors (a CSP violation or a script error shows here)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]

