"""The dashboard in a real headless Chromium against the real daemon (issue #21).

Sets up through the API a failed run and a failed webhook delivery, then as an operator in the
browser: signs in, opens the run (timeline and graph), retries it, redelivers the delivery and
sees the new attempt in its log, signs out; then signs in with a read-only key and sees no
action button. Saves a screenshot of each page under --shots. Prints one line per check and
ends with 'dashboard-browser: N passed, N failed'.
"""
import argparse
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--read-key", required=True)
parser.add_argument("--receiver", required=True)
parser.add_argument("--shots", required=True)
args = parser.parse_args()

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def api(method, path, body=None):
    request = urllib.request.Request(
        args.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {args.key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def wait_until(what, condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise SystemExit(f"dashboard-browser: timed out waiting for {what}")


# The API side: an endpoint that answers 500, a case, a definition that fails, a failed run.
endpoint = api("POST", "/v1/webhook-endpoints", {"url": args.receiver})
case = api("POST", "/v1/cases", {"firstName": "Ada", "lastName": "Lovelace"})
api("PUT", "/v1/workflow-definitions/screening", {
    "name": "Screening", "isDraft": False,
    "steps": [
        {"id": "prepare", "action": "transform", "config": {"set": {"checked": True}}},
        {"id": "sanctions", "action": "fail", "config": {"code": "sanctions_hit", "reason": "listed"}},
    ]})
run = api("POST", "/v1/workflows/run", {"caseId": case["id"], "workflowDefinitionId": "screening"})
wait_until("the run to fail", lambda: api("GET", f"/v1/workflows/{run['id']}")["status"] == "FAILED")
delivery = wait_until("the failed delivery", lambda: next(
    (d for d in api("GET", f"/v1/webhook-deliveries?endpointId={endpoint['id']}&status=FAILED")["items"]), None))

options = webdriver.ChromeOptions()
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
    options.add_argument(flag)
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
driver.set_page_load_timeout(30)
wait = WebDriverWait(driver, 30)
os.makedirs(args.shots, exist_ok=True)


def shot(name):
    path = os.path.join(args.shots, name + ".png")
    driver.save_screenshot(path)
    print(f"screenshot {path}")


def sign_in(key):
    driver.get(args.url + "/ui/login")
    driver.find_element(By.ID, "key").send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    wait.until(lambda d: "/ui/login" not in d.current_url)


def buttons():
    return [b.text for b in driver.find_elements(By.CSS_SELECTOR, "main button")]


try:
    sign_in(args.key)
    check("signing in lands on the overview", driver.find_element(By.TAG_NAME, "h1").text == "Overview", driver.current_url)
    shot("overview")

    driver.get(f"{args.url}/ui/runs/{run['id']}")
    check("the run's page shows FAILED", "FAILED" in driver.find_element(By.CSS_SELECTOR, "dl.fields").text)
    steps = [row.find_element(By.TAG_NAME, "td").text for row in driver.find_elements(By.CSS_SELECTOR, "tbody tr")]
    check("the timeline lists both steps", any(s.startswith("prepare") for s in steps) and any(s.startswith("sanctions") for s in steps), str(steps))
    check("the definition is drawn as a graph", len(driver.find_elements(By.CSS_SELECTOR, "svg.graph g.step")) == 2)
    shot("run-failed")

    driver.find_element(By.XPATH, "//button[text()='Retry run']").click()
    wait.until(lambda d: d.current_url.endswith(f"/ui/runs/{run['id']}"))
    attempt = wait_until("the retry's second attempt", lambda: len(api("GET", f"/v1/workflows/{run['id']}/execution")["tasks"]) >= 3)
    check("retry ran the failed step again", bool(attempt))

    driver.get(f"{args.url}/ui/deliveries/{delivery['id']}")
    check("the delivery's log shows its failed attempt", "500" in driver.find_element(By.CSS_SELECTOR, "main table").text)
    driver.find_element(By.XPATH, "//button[text()='Redeliver']").click()
    wait.until(lambda d: "/ui/deliveries/" in d.current_url and delivery["id"] not in d.current_url)
    new_delivery = driver.current_url.rsplit("/", 1)[1]

    def attempted():
        driver.get(f"{args.url}/ui/deliveries/{new_delivery}")
        return len(driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")) >= 1
    check("the redelivery's attempt shows in its log", bool(wait_until("the redelivery's attempt", attempted)))
    shot("delivery-redelivered")

    driver.find_element(By.XPATH, "//button[text()='Sign out']").click()
    wait.until(lambda d: "/ui/login" in d.current_url)
    driver.get(f"{args.url}/ui/runs")
    check("signed out, the runs page asks to sign in", "/ui/login" in driver.current_url)

    sign_in(args.read_key)
    driver.get(f"{args.url}/ui/runs/{run['id']}")
    check("a read-only key sees the run", run["id"] in driver.find_element(By.TAG_NAME, "h1").text)
    check("a read-only key sees no action button", buttons() == [], str(buttons()))
    driver.get(f"{args.url}/ui/deliveries/{delivery['id']}")
    check("a read-only key sees no redeliver button", buttons() == [], str(buttons()))
    shot("read-only-run")
finally:
    driver.quit()

print(f"dashboard-browser: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
