#!/usr/bin/env python3
"""The dashboard in a real browser (issue 10, acceptance 1): log in, create a project and a service,
deploy a static site through the API and watch its status reach SUCCESS without reloading, see a
build log line arrive live, set a variable and see it masked. Exits 0 when all of it held.

    dashboard_test.py --url http://127.0.0.1:PORT [--edge http://127.0.0.1:EDGE_PORT]
"""
import argparse
import sys
import time
import uuid

from selenium.webdriver.common.by import By

from dashboard import API, browser, browser_errors, log_in, service_ids, static_site, texts, wait


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--edge")
    arguments = parser.parse_args()
    api = API(arguments.url)
    email, password = f"browser-{uuid.uuid4().hex[:8]}@example.com", "correct-horse-battery"
    api.signup(email, password)
    driver = browser()
    try:
        run(driver, api, arguments, email, password)
    except Exception:
        print("browser console:", *browser_errors(driver), sep="\n  ")
        print("page text at the failure:\n" + driver.find_element(By.TAG_NAME, "body").text[:3000])
        raise
    finally:
        driver.quit()
    print("dashboard browser test: 1 passed, 0 failed")


def run(driver, api, arguments, email, password):
    log_in(driver, arguments.url, email, password)
    print("logged in through the form")

    project_name = "shop-" + uuid.uuid4().hex[:6]
    driver.find_element(By.CSS_SELECTOR, "#new-project input").send_keys(project_name)
    driver.find_element(By.CSS_SELECTOR, "#new-project button").click()
    wait(driver, 20, lambda d: d.find_elements(By.ID, "services"), "the new project's page never showed")
    driver.find_element(By.CSS_SELECTOR, "#new-service input").send_keys("web")
    driver.find_element(By.CSS_SELECTOR, "#new-service button").click()
    wait(driver, 20, lambda d: d.find_elements(By.ID, "deployments"), "the new service's page never showed")
    wait(driver, 10, lambda d: d.execute_script("return document.getElementById('live').dataset.state") == "live",
         "the events socket never came up")
    project, environment, service = service_ids(driver)
    print(f"created project {project_name} and service web through the dashboard")

    # Anything that reloads the page drops this marker.
    driver.execute_script("window.__notReloaded = true")
    site = static_site({"index.html": "<!doctype html><title>shop</title><h1>hello from the browser test</h1>\n"})
    deployment = api.call("POST", f"/projects/{project}/environments/{environment}/services/{service}/deployments",
                          raw=site, content_type="application/gzip")
    print(f"deployed {deployment['id']} through the API")

    seen = []
    row = f"tr[data-deployment='{deployment['id']}'] .badge"
    deadline = time.time() + 120
    while time.time() < deadline:
        # Read in the page: the row is re-rendered on every event, so a held element goes stale.
        status = driver.execute_script("return document.querySelector(arguments[0])?.dataset.status ?? null", row)
        if status and (not seen or seen[-1] != status):
            seen.append(status)
        if status in ("SUCCESS", "FAILED", "CRASHED"):
            break
        time.sleep(0.05)
    print("statuses the page showed:", " → ".join(seen))
    assert seen and seen[-1] == "SUCCESS", f"the deployment did not reach SUCCESS on the page: {seen}"
    assert driver.execute_script("return window.__notReloaded === true"), "the page reloaded"

    wait(driver, 20, lambda d: any("Detected staticfile" in (line or "") for line in texts(d, "#logs .line")),
         "the build log's 'Detected staticfile' line never appeared")
    lines = texts(driver, "#logs .line")
    print(f"{len(lines)} build log line(s) arrived live, e.g. {lines[0]!r}")
    assert driver.execute_script("return window.__notReloaded === true"), "the page reloaded"

    # The log search hides what does not match.
    driver.find_element(By.ID, "log-search").send_keys("Detected")
    visible = [line for line in texts(driver, "#logs .line") if line is not None]
    assert visible and all("Detected" in line for line in visible), f"the log search did not filter: {visible}"

    driver.find_element(By.LINK_TEXT, "Variables").click()
    wait(driver, 20, lambda d: d.find_elements(By.ID, "variable-form"), "the variables tab never showed")
    secret = "s3cret-" + uuid.uuid4().hex[:8]
    driver.find_element(By.ID, "variable-key").send_keys("API_KEY")
    driver.find_element(By.ID, "variable-value").send_keys(secret)
    driver.find_element(By.ID, "variable-save").click()
    cell = "tr[data-key='API_KEY'] td.value"
    wait(driver, 20, lambda d: texts(d, cell), "the variable never showed")
    shown = texts(driver, cell)[0]
    assert shown.startswith("********"), f"the variable is not masked: {shown!r}"
    assert secret not in driver.find_element(By.TAG_NAME, "body").text, "the secret value is on the page"
    driver.find_element(By.ID, "variables-reveal").click()
    wait(driver, 20, lambda d: secret in (texts(d, cell) or [""])[0], "reveal did not show the value")
    print("set API_KEY: shown masked, revealed on request")

    # A service with a process: its Metrics tab draws CPU and memory from the usage figures.
    api_service = api.call("POST", f"/projects/{project}/services", {"name": "api"})
    app = static_site({"main.py": "import http.server, os\n"
                       "http.server.HTTPServer(('0.0.0.0', int(os.environ['PORT'])), http.server.SimpleHTTPRequestHandler).serve_forever()\n"})
    started = api.call("POST", f"/projects/{project}/environments/{environment}/services/{api_service['id']}/deployments",
                       raw=app, content_type="application/gzip")
    for _ in range(120):
        if api.call("GET", f"/projects/{project}/deployments/{started['id']}")["status"] in ("SUCCESS", "FAILED"):
            break
        time.sleep(0.5)
    metrics_page = f"{arguments.url}/#/projects/{project}/environments/{environment}/services/{api_service['id']}/metrics"
    driver.get(metrics_page)
    for _ in range(30):
        time.sleep(1)
        if driver.find_elements(By.ID, "cpu-chart"):
            break
        driver.refresh()  # the tab reads the figures once: load it again until some are there
    wait(driver, 20, lambda d: d.find_elements(By.CSS_SELECTOR, "#memory-chart polyline"), "the memory chart never showed")
    # The usage section is re-rendered by each live sampling round: read it in the page, not through a
    # held element, which may go stale between finding and reading it.
    now = driver.execute_script("return document.getElementById('usage-now')?.textContent ?? ''")
    assert now.startswith("Now: ") and "MiB of 512 MiB memory" in now, f"unexpected usage line: {now!r}"
    print("the metrics tab charts CPU and memory:", now)
    # New points arrive on the page's socket every sampling round, without a reload.
    driver.execute_script("window.__notReloaded = true")
    points = lambda d: int(d.execute_script("return document.getElementById('usage')?.dataset.points ?? '0'"))
    before = points(driver)
    wait(driver, 20, lambda d: points(d) > before + 1, "no new usage point arrived live")
    assert driver.execute_script("return window.__notReloaded === true"), "the page reloaded"
    print("usage points arrived live:", before, "->", points(driver))

    # A history longer than a page: the table shows twenty, "Older deployments" the rest.
    for _ in range(21):
        api.call("POST", f"/projects/{project}/environments/{environment}/services/{service}/deployments",
                 raw=site, content_type="application/gzip")
    driver.get(f"{arguments.url}/#/projects/{project}/environments/{environment}/services/{service}")
    rows = lambda d: d.execute_script("return document.querySelectorAll('#deployments tbody tr[data-deployment]').length")
    wait(driver, 20, lambda d: rows(d) == 20 and d.find_element(By.ID, "deployments-older").is_displayed(),
         "the first page of twenty deployments and the older-deployments button never showed")
    driver.find_element(By.ID, "deployments-older").click()
    wait(driver, 20, lambda d: rows(d) == 22, "the older deployments never showed")
    assert not driver.find_element(By.ID, "deployments-older").is_displayed(), "the button stays after the last page"
    print("22 deployments: 20 shown, the other 2 after 'Older deployments'")

    errors = [error for error in browser_errors(driver) if "favicon" not in error]
    assert not errors, f"the browser console has errors: {errors}"


if __name__ == "__main__":
    sys.exit(main())
