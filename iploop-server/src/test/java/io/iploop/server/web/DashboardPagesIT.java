package io.iploop.server.web;

import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.assertText;
import static io.iploop.server.testing.Browser.find;
import static io.iploop.server.testing.Browser.js;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.screenshot;
import static io.iploop.server.testing.Browser.screenshots;
import static io.iploop.server.testing.Browser.settle;
import static io.iploop.server.testing.Browser.signInNewAdmin;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.test;
import static io.iploop.server.testing.Browser.textOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The authenticated pages in a real browser: layout and sidebar (docs/product/dashboard.md#sidebar, #responsive-layout, #theme), each page's
 * content and states, screenshots at three widths in both themes, and axe-core accessibility.
 */
@PlatformTest
@BrowserTest
class DashboardPagesIT {

    // this class's browser and its 15 s wait, set by @BrowserTest
    ChromeDriver driver;
    WebDriverWait wait;

    @Test
    void dashboardShowsTheNetworkAndRefreshesWithoutReloading() {
        JsonNode customer = signInNewCustomer();
        assertThat(textOf("stat-status")).isEqualTo("Healthy");
        assertThat(Integer.parseInt(textOf("stat-active"))).as("the local DE node is online").isGreaterThanOrEqualTo(1);
        assertThat(textOf("map-caption")).containsPattern("\\d+ (country|countries) · \\d+ active nodes?");
        assertThat(find("#world-map svg").isDisplayed()).as("world map rendered").isTrue();
        assertText("plan-name", t -> assertThat(t).isEqualTo("Enterprise"));
        assertText("user-name", t -> assertThat(t).isEqualTo("Test User"));
        // Refresh: htmx replaces the live region in place; a marker on the window survives.
        js("window.__marker = 42; htmx.trigger('#live', 'every 30s')");
        js("htmx.ajax('GET', '/dashboard/live', {target: '#live', swap: 'outerHTML'})");
        settle();
        assertThat(js("return window.__marker")).isEqualTo(42L);
        assertThat(textOf("stat-status")).isEqualTo("Healthy");
        assertThat(js("return document.querySelectorAll('.app-sidebar').length")).as("only the fragment was swapped in").isEqualTo(1L);
        assertText("plan-name", t -> assertThat(t).isEqualTo("Enterprise"));
        assertThat(find("#world-map svg").isDisplayed()).as("map drawn again after the swap").isTrue();
        screenshots("dashboard");
        assertAccessible("dashboard");
        assertThat(customer.at("/user/customerId").asString()).startsWith("cust_");
    }

    @Test
    void sidebarCollapsesOnMobileAndHidesAdminItems() {
        signInNewCustomer();
        assertThat(driver.findElements(org.openqa.selenium.By.cssSelector("[data-test='nav-admin']"))).isEmpty();
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                java.util.Map.of("width", 375, "height", 800, "deviceScaleFactor", 1, "mobile", true));
        try {
            settle();
            assertThat(test("menu").isDisplayed()).isTrue();
            wait.until(d -> !isInViewport("#sidebar"));
            test("menu").click();
            wait.until(d -> isInViewport("#sidebar"));
            screenshot("sidebar-open-375-light", 375);
            test("nav-nodes").click();
            wait.until(d -> d.getCurrentUrl().endsWith("/nodes"));
        } finally {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", java.util.Map.of());
        }
        test("theme-toggle").click();
        assertThat(js("return document.documentElement.getAttribute('data-bs-theme')")).isEqualTo("dark");
        driver.navigate().refresh();
        settle();
        assertThat(js("return document.documentElement.getAttribute('data-bs-theme')")).as("theme remembered").isEqualTo("dark");
        test("theme-toggle").click();
    }

    @Test
    void nodesPageListsFiltersAndRefreshesForAnAdmin() {
        signInNewAdmin();
        assertThat(test("nav-admin").isDisplayed()).as("admin items for admins").isTrue();
        open("/nodes");
        assertThat(textOf("node-row")).contains("DE").contains("Available").contains("local exit");
        new org.openqa.selenium.support.ui.Select(find("#status")).selectByValue("banned");
        wait.until(d -> !d.findElements(org.openqa.selenium.By.cssSelector("[data-test='empty-state']")).isEmpty());
        settle();
        assertThat(textOf("empty-state")).contains("No nodes match");
        new org.openqa.selenium.support.ui.Select(find("#status")).selectByValue("available");
        settle();
        new org.openqa.selenium.support.ui.Select(find("#country")).selectByValue("DE");
        wait.until(d -> !d.findElements(org.openqa.selenium.By.cssSelector("[data-test='node-row']")).isEmpty());
        settle();
        assertThat(textOf("node-count")).contains("node");
        // Auto-refresh: the table is replaced by htmx every 10 s while the switch is on.
        js("document.querySelector('[data-test=node-table]').setAttribute('data-marker', 'old')");
        wait.withTimeout(java.time.Duration.ofSeconds(25)).until(d -> js(
                "return document.querySelector('[data-test=node-table]').getAttribute('data-marker')") == null);
        assertThat(js("return document.querySelectorAll('.app-sidebar').length")).as("only the table was swapped in").isEqualTo(1L);
        assertThat(textOf("node-row")).contains("local exit");
        screenshots("nodes");
        assertAccessible("nodes");
        open("/nodes?status=nonsense");
        assertThat(textOf("error")).contains("status");
    }

    @Test
    void aCustomerWithoutNodesSeesTheEmptyState() {
        signInNewCustomer();
        open("/nodes");
        assertThat(textOf("empty-state")).contains("proxyclaw");
        screenshots("nodes-empty");
    }

    private boolean isInViewport(String css) {
        return Boolean.TRUE.equals(js("var r = document.querySelector(arguments[0]).getBoundingClientRect();"
                + " return r.right > 1 && r.left < window.innerWidth;", css));
    }
}
