package io.iploop.server.platform;

import static io.iploop.server.testing.Api.HTTP;
import static io.iploop.server.testing.Api.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.iploop.server.testing.PlatformTest;
import io.iploop.server.testing.Tools;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The deployment files under {@code deploy/} and the images' Dockerfiles (docs/deploy.md) against
 * the running platform: every YAML file parses, the Compose file and the Helm chart use only
 * configuration variables the server reads, ports it listens on and health paths that answer UP,
 * the Prometheus rules pass {@code promtool check rules} and their unit tests, and the Grafana
 * dashboard and the alert rules name only metrics that {@code /actuator/prometheus} exports.
 * Also that {@code IPLOOP_LOG_FORMAT=ecs} turns the console log into ECS JSON lines.
 */
@PlatformTest
class DeployManifestsIT {

    private static final Path ROOT = Tools.repositoryRoot();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Series Prometheus makes itself, not the server. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    /** Every {@code ${IPLOOP_…}} variable application.properties reads. */
    private static Set<String> serverVariables;

    @BeforeAll
    static void readServerVariables() throws IOException {
        String props = Files.readString(ROOT.resolve("iploop-server/src/main/resources/application.properties"));
        serverVariables = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{(IPLOOP_[A-Z0-9_]+)").matcher(props);
        while (m.find()) {
            serverVariables.add(m.group(1));
        }
        assertThat(serverVariables).contains("IPLOOP_DB_URL", "IPLOOP_METRICS_TOKEN", "IPLOOP_LOG_FORMAT");
    }

    @Test
    void everyYamlFileUnderDeployParses() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            files = walk.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    // Helm templates are Go templates, not YAML until rendered (helmChartRenders…)
                    .filter(p -> !p.startsWith(DEPLOY.resolve("helm/iploop/templates")))
                    .sorted().toList();
        }
        assertThat(files).extracting(p -> DEPLOY.relativize(p).toString()).contains(
                "compose.yaml", "prometheus/prometheus.yml", "prometheus/alerts.yml", "prometheus/alerts.test.yml",
                "grafana/provisioning/datasources/prometheus.yml", "grafana/provisioning/dashboards/iploop.yml",
                "helm/iploop/Chart.yaml", "helm/iploop/values.yaml");
        for (Path file : files) {
            Object doc = new Yaml().load(Files.readString(file));
            assertThat(doc).as(file + " parses to a mapping").isInstanceOf(Map.class);
        }
    }

    @Test
    void composeRunsTheServerWithItsRealVariablesPortsAndFiles() throws IOException {
        Map<String, Object> compose = yaml(DEPLOY.resolve("compose.yaml"));
        Map<String, Object> services = map(compose, "services");
        assertThat(services).containsKeys("postgres", "redis", "server", "node", "prometheus", "grafana");

        Map<String, Object> server = map(services, "server");
        Map<String, Object> env = map(server, "environment");
        assertThat(env.keySet()).as("server variables the server reads").isSubsetOf(serverVariables);
        assertThat(env).containsKeys("IPLOOP_DB_URL", "IPLOOP_DB_USER", "IPLOOP_DB_PASSWORD", "IPLOOP_METRICS_TOKEN");
        assertThat(env.get("IPLOOP_DB_URL").toString()).startsWith("jdbc:postgresql://postgres:5432/");
        assertThat(list(server, "ports")).extracting(p -> p.toString().split(":")[1])
                .containsExactlyInAnyOrderElementsOf(defaultPorts().stream().map(String::valueOf).toList());
        assertThat(map(server, "build").get("dockerfile")).isEqualTo("iploop-server/Dockerfile");

        Map<String, Object> node = map(services, "node");
        String nodeDocs = Files.readString(ROOT.resolve("docs/node-agent.md"));
        for (String variable : map(node, "environment").keySet()) {
            assertThat(nodeDocs).as("node agent variable " + variable + " is one the agent reads").contains("`" + variable + "`");
        }
        assertThat(map(node, "environment").get("PROXYCLAW_GATEWAY")).isEqualTo("ws://server:" + defaultPort("IPLOOP_NODE_HUB_PORT") + "/ws");
        assertThat(map(node, "build").get("dockerfile")).isEqualTo("iploop-node/Dockerfile");

        for (String service : List.of("prometheus", "grafana")) {
            for (Object volume : list(map(services, service), "volumes")) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(DEPLOY.resolve(source)).as(service + " mounts " + source).exists();
                }
            }
        }
    }

    @Test
    void composeClusterProfileRunsBothRolesBehindTheBalancer() throws IOException {
        Map<String, Object> services = map(yaml(DEPLOY.resolve("compose.yaml")), "services");
        assertThat(services).doesNotContainKey("gateway").containsKeys("control-plane-1", "control-plane-2",
                "gateway-1", "gateway-2", "lb", "cluster-secrets");
        assertThat(services.get("server")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .as("the single server runs on a plain `up`").doesNotContainKey("profiles");
        for (String name : List.of("redis", "control-plane-1", "control-plane-2", "gateway-1", "gateway-2", "lb",
                "cluster-secrets")) {
            assertThat(list(map(services, name), "profiles")).as(name).containsExactly("cluster");
        }
        for (String name : List.of("control-plane-1", "control-plane-2", "gateway-1", "gateway-2")) {
            Map<String, Object> service = map(services, name);
            String role = name.substring(0, name.lastIndexOf('-'));
            assertThat(list(service, "command")).as(name).containsExactly("server", "--role=" + role);
            Map<String, Object> env = map(service, "environment");
            assertThat(env.keySet()).as(name + " variables the server reads").isSubsetOf(serverVariables);
            assertThat(env).containsKeys("IPLOOP_DB_URL", "IPLOOP_REDIS_URL", "IPLOOP_METRICS_TOKEN");
            assertThat(env.get("IPLOOP_REDIS_URL").toString()).startsWith("redis://redis:");
            assertThat(service).as(name + " publishes nothing: lb does").doesNotContainKey("ports");
            // the same secrets/ (JWT and AES keys) in every process
            assertThat(list(service, "volumes")).as(name).contains("cluster-secrets:/var/lib/iploop-shared:ro",
                    name + "-data:/var/lib/iploop");
            assertThat(list(map(services, "cluster-secrets"), "volumes")).contains(name + "-data:/data/" + name);
        }
        Map<String, Object> lb = map(services, "lb");
        assertThat(list(lb, "ports")).extracting(p -> p.toString().split(":")[1])
                .containsExactlyInAnyOrderElementsOf(defaultPorts().stream().map(String::valueOf).toList());
        String mount = list(lb, "volumes").getFirst().toString().split(":")[0];
        String haproxy = Files.readString(DEPLOY.resolve(mount));
        assertThat(haproxy).contains("mode tcp", "balance roundrobin");
        Matcher check = Pattern.compile("option httpchk GET (\\S+)").matcher(haproxy);
        assertThat(check.find()).isTrue();
        assertThat(get(check.group(1)).statusCode()).isEqualTo(200);
        for (int port : defaultPorts()) {
            assertThat(haproxy).as("lb listens on " + port).contains("bind :" + port + "\n");
        }
        for (int port : defaultPorts().subList(1, defaultPorts().size())) {
            for (String gateway : List.of("gateway-1", "gateway-2")) {
                assertThat(haproxy).contains(" " + gateway + ":" + port + " port " + defaultPort("IPLOOP_HTTP_PORT") + " ");
            }
        }
        // Client addresses: a PROXY header on every gateway connection, believed from lb's address only.
        List<String> gatewayLines = haproxy.lines().filter(l -> l.strip().startsWith("server gateway-")).toList();
        assertThat(gatewayLines).isNotEmpty().allSatisfy(l -> assertThat(l).endsWith(" send-proxy-v2"));
        @SuppressWarnings("unchecked")
        Map<String, Object> lbNetwork = (Map<String, Object>) map(lb, "networks").get("default");
        String lbAddress = lbNetwork.get("ipv4_address").toString();
        for (String name : List.of("gateway-1", "gateway-2")) {
            assertThat(map(map(services, name), "environment").get("IPLOOP_PROXY_PROTOCOL_TRUSTED")).as(name)
                    .hasToString(lbAddress);
        }
    }

    @Test
    void prometheusScrapesTheMetricsPathTheServerServes() throws Exception {
        Map<String, Object> config = yaml(DEPLOY.resolve("prometheus/prometheus.yml"));
        @SuppressWarnings("unchecked")
        Map<String, Object> job = (Map<String, Object>) list(config, "scrape_configs").getFirst();
        String path = (String) job.get("metrics_path");
        assertThat(map(job, "authorization").get("type")).isEqualTo("Bearer");
        @SuppressWarnings("unchecked")
        List<String> targets = (List<String>) ((Map<String, Object>) list(job, "static_configs").getFirst()).get("targets");
        assertThat(targets).containsExactly("server:" + defaultPort("IPLOOP_HTTP_PORT"));

        HttpResponse<String> scrape = get(path);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("iploop_gateway_bytes_total");
    }

    @Test
    void alertRulesPassPromtoolAndTheirUnitTests() {
        Tools.program("promtool", "prometheus");
        Path dir = DEPLOY.resolve("prometheus");
        Tools.Run check = Tools.run(dir, Map.of(), Duration.ofSeconds(60), "promtool", "check", "rules", "alerts.yml");
        assertThat(check.exitCode()).as(check.toString()).isZero();
        Tools.Run test = Tools.run(dir, Map.of(), Duration.ofSeconds(60), "promtool", "test", "rules", "alerts.test.yml");
        assertThat(test.exitCode()).as(test.toString()).isZero();
    }

    @Test
    void dashboardAndAlertsNameOnlyMetricsTheServerExports() throws IOException {
        Set<String> exported = exportedMetrics();

        JsonNode dashboard = JSON.readTree(Files.readString(DEPLOY.resolve("grafana/iploop.json")));
        Set<String> dashboardNames = new TreeSet<>();
        for (JsonNode target : dashboard.findValues("targets")) {
            for (JsonNode t : target) {
                dashboardNames.addAll(metricNames(t.get("expr").asString()));
            }
        }
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            if (variable.has("definition")) {
                Matcher m = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(variable.get("definition").asString());
                assertThat(m.find()).isTrue();
                dashboardNames.add(m.group(1));
            }
        }
        // the signals the dashboard is for (docs/deploy.md#observability)
        assertThat(dashboardNames).contains("iploop_gateway_bytes_total", "iploop_gateway_errors_total",
                "iploop_nodes_connected", "iploop_usage_flush_lag_seconds");
        assertThat(dashboardNames).as("metrics the dashboard uses, all exported").isSubsetOf(exported);

        Set<String> alertNames = new TreeSet<>();
        for (Object group : list(yaml(DEPLOY.resolve("prometheus/alerts.yml")), "groups")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> g = (Map<String, Object>) group;
            for (Object rule : list(g, "rules")) {
                alertNames.addAll(metricNames(((Map<?, ?>) rule).get("expr").toString()));
            }
        }
        assertThat(alertNames).contains("iploop_usage_flush_lag_seconds", "iploop_usage_journal_dropped_total",
                "iploop_nodes_connected");
        Set<String> fromServer = new TreeSet<>(alertNames);
        fromServer.removeAll(PROMETHEUS_OWN);
        assertThat(fromServer).as("metrics the alert rules use, all exported").isSubsetOf(exported);

        // the data source the dashboard selects by default is the provisioned one
        Map<String, Object> datasources = yaml(DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yml"));
        Object uid = ((Map<?, ?>) list(datasources, "datasources").getFirst()).get("uid");
        assertThat(dashboard.get("templating").get("list").get(0).get("current").get("value").asString()).isEqualTo(uid);
    }

    @Test
    void metricNamesAreReadFromPromQlExpressions() {
        assertThat(metricNames("sum by (cause) (rate(iploop_gateway_errors_total{instance=~\"$instance\",cause=\"x\"}[$__rate_interval])) > 0"))
                .containsExactly("iploop_gateway_errors_total");
        assertThat(metricNames("sum(a_b) == 0 or absent(c_d) and on() up{job=\"iploop\"} offset 15m * 1024"))
                .containsExactlyInAnyOrder("a_b", "c_d", "up");
    }

    @Test
    void helmChartRendersToManifestsThatMatchTheServer() throws IOException {
        Path chartDir = DEPLOY.resolve("helm/iploop");
        Map<String, Object> chart = yaml(chartDir.resolve("Chart.yaml"));
        assertThat(chart).containsEntry("apiVersion", "v2").containsKeys("name", "version", "appVersion");
        Map<String, Object> values = yaml(chartDir.resolve("values.yaml"));
        @SuppressWarnings("unchecked")
        Map<String, Object> secrets = (Map<String, Object>) values.get("secrets");

        // installation without the required secrets fails, naming the value
        HelmTemplates unset = new HelmTemplates(values, chart, "ipl", "proxy");
        String secretTemplate = Files.readString(chartDir.resolve("templates/secret.yaml"));
        assertThatThrownBy(() -> unset.render(secretTemplate)).hasMessageContaining("secrets.dbPassword is required");

        secrets.put("dbPassword", "pg-secret");
        secrets.put("metricsToken", "scrape-secret");
        Map<String, Map<String, Object>> byKindAndName = renderChart(new HelmTemplates(values, chart, "ipl", "proxy"));
        assertThat(byKindAndName).containsOnlyKeys("ConfigMap/ipl-config", "Secret/ipl-secrets", "Deployment/ipl-server",
                "Service/ipl-gateway", "Service/ipl-http", "PodDisruptionBudget/ipl-server", "PersistentVolumeClaim/ipl-data");

        Map<String, Object> deployment = byKindAndName.get("Deployment/ipl-server");
        Map<String, Object> podTemplate = map(map(deployment, "spec"), "template");
        Map<String, Object> podLabels = map(map(podTemplate, "metadata"), "labels");
        assertThat(podLabels).containsAllEntriesOf(map(map(map(deployment, "spec"), "selector"), "matchLabels"));
        @SuppressWarnings("unchecked")
        Map<String, Object> container = (Map<String, Object>) list(map(podTemplate, "spec"), "containers").getFirst();
        Map<String, Integer> containerPorts = new HashMap<>();
        for (Object p : list(container, "ports")) {
            containerPorts.put((String) ((Map<?, ?>) p).get("name"), (Integer) ((Map<?, ?>) p).get("containerPort"));
        }
        assertThat(containerPorts.values()).containsExactlyInAnyOrderElementsOf(defaultPorts());
        assertThat(map(container, "resources")).containsKeys("requests", "limits");

        // probes: the real health paths, on the container's http port, answering UP here
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            Map<String, Object> httpGet = map(map(container, probe), "httpGet");
            assertThat(containerPorts).as(probe).containsEntry((String) httpGet.get("port"), defaultPort("IPLOOP_HTTP_PORT"));
            HttpResponse<String> health = get((String) httpGet.get("path"));
            assertThat(health.statusCode()).as(probe + " " + httpGet.get("path")).isEqualTo(200);
            assertThat(JSON.readTree(health.body()).get("status").asString()).isEqualTo("UP");
        }
        assertThat(map(map(container, "readinessProbe"), "httpGet").get("path")).isEqualTo("/actuator/health/readiness");

        // configuration: only variables the server reads, from the chart's ConfigMap and Secret
        Set<String> configured = new TreeSet<>(map(byKindAndName.get("ConfigMap/ipl-config"), "data").keySet());
        configured.addAll(map(byKindAndName.get("Secret/ipl-secrets"), "stringData").keySet());
        configured.remove("JAVA_TOOL_OPTIONS");
        assertThat(configured).isSubsetOf(serverVariables).contains("IPLOOP_DB_URL", "IPLOOP_DB_PASSWORD", "IPLOOP_METRICS_TOKEN");
        assertThat(map(byKindAndName.get("Secret/ipl-secrets"), "stringData")).containsEntry("IPLOOP_DB_PASSWORD", "pg-secret");
        assertThat(list(container, "envFrom")).hasSize(2);

        // the gateway Service keeps client addresses and reaches real container ports
        Map<String, Object> gateway = map(byKindAndName.get("Service/ipl-gateway"), "spec");
        assertThat(gateway).containsEntry("externalTrafficPolicy", "Local").containsEntry("type", "LoadBalancer");
        assertThat(podLabels).containsAllEntriesOf(map(gateway, "selector"));
        for (Object p : list(gateway, "ports")) {
            Map<?, ?> port = (Map<?, ?>) p;
            assertThat(containerPorts).as("gateway Service targetPort").containsKey((String) port.get("targetPort"));
            assertThat(port.get("port")).isEqualTo(containerPorts.get((String) port.get("targetPort")));
        }
        assertThat(list(gateway, "ports")).hasSize(6);

        Map<String, Object> pdb = map(byKindAndName.get("PodDisruptionBudget/ipl-server"), "spec");
        assertThat(podLabels).containsAllEntriesOf(map(map(pdb, "selector"), "matchLabels"));
        assertThat(pdb).containsKey("maxUnavailable");

        @SuppressWarnings("unchecked")
        Map<String, Object> dataVolume = (Map<String, Object>) list(map(podTemplate, "spec"), "volumes").getFirst();
        assertThat(map(dataVolume, "persistentVolumeClaim")).containsEntry("claimName", "ipl-data");
    }

    @Test
    void helmChartWithClusterEnabledRendersAControlPlaneAndAGatewayDeployment() throws IOException {
        Path chartDir = DEPLOY.resolve("helm/iploop");
        Map<String, Object> chart = yaml(chartDir.resolve("Chart.yaml"));
        Map<String, Object> values = yaml(chartDir.resolve("values.yaml"));
        @SuppressWarnings("unchecked")
        Map<String, Object> secrets = (Map<String, Object>) values.get("secrets");
        secrets.put("dbPassword", "pg-secret");
        secrets.put("metricsToken", "scrape-secret");
        Map<String, Object> cluster = map(values, "cluster");
        assertThat(cluster).containsEntry("enabled", false);
        cluster.put("enabled", true);

        // a cluster without Redis would split the limits: installation fails, naming the value
        assertThatThrownBy(() -> renderChart(new HelmTemplates(values, chart, "ipl", "proxy")))
                .hasMessageContaining("cluster.redisUrl is required");

        cluster.put("redisUrl", "redis://redis:6379");
        Map<String, Map<String, Object>> byKindAndName = renderChart(new HelmTemplates(values, chart, "ipl", "proxy"));
        assertThat(byKindAndName).containsOnlyKeys("ConfigMap/ipl-config", "Secret/ipl-secrets",
                "Deployment/ipl-control-plane", "Deployment/ipl-gateway", "Service/ipl-gateway", "Service/ipl-http",
                "PodDisruptionBudget/ipl-control-plane", "PodDisruptionBudget/ipl-gateway",
                "PersistentVolumeClaim/ipl-secrets");
        assertThat(list(map(byKindAndName.get("PersistentVolumeClaim/ipl-secrets"), "spec"), "accessModes"))
                .containsExactly("ReadWriteMany");

        Map<String, Map<String, Object>> podLabelsByRole = new HashMap<>();
        for (String role : List.of("control-plane", "gateway")) {
            Map<String, Object> spec = map(byKindAndName.get("Deployment/ipl-" + role), "spec");
            assertThat(spec).as(role + " replicas").containsEntry("replicas", 2);
            Map<String, Object> podTemplate = map(spec, "template");
            Map<String, Object> podLabels = map(map(podTemplate, "metadata"), "labels");
            assertThat(podLabels).containsAllEntriesOf(map(map(spec, "selector"), "matchLabels"));
            podLabelsByRole.put(role, podLabels);
            Map<String, Object> pdb = map(byKindAndName.get("PodDisruptionBudget/ipl-" + role), "spec");
            assertThat(podLabels).as(role + " PDB").containsAllEntriesOf(map(map(pdb, "selector"), "matchLabels"));

            @SuppressWarnings("unchecked")
            Map<String, Object> container = (Map<String, Object>) list(map(podTemplate, "spec"), "containers").getFirst();
            assertThat(list(container, "args")).containsExactly("server", "--role=" + role);
            Map<String, Object> env = new HashMap<>();
            for (Object e : list(container, "env")) {
                env.put((String) ((Map<?, ?>) e).get("name"), ((Map<?, ?>) e).get("value"));
            }
            assertThat(env).containsEntry("IPLOOP_REDIS_URL", "redis://redis:6379");
            assertThat(env.keySet()).isSubsetOf(serverVariables);
            assertThat(list(container, "envFrom")).hasSize(2);
            Map<String, Integer> containerPorts = new HashMap<>();
            for (Object p : list(container, "ports")) {
                containerPorts.put((String) ((Map<?, ?>) p).get("name"), (Integer) ((Map<?, ?>) p).get("containerPort"));
            }
            if (role.equals("gateway")) {
                assertThat(containerPorts.values()).containsExactlyInAnyOrderElementsOf(defaultPorts());
            } else {
                assertThat(containerPorts).containsExactly(Map.entry("http", defaultPort("IPLOOP_HTTP_PORT")));
            }
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                Map<String, Object> httpGet = map(map(container, probe), "httpGet");
                assertThat(httpGet).as(role + " " + probe).containsEntry("port", "http");
                assertThat(get((String) httpGet.get("path")).statusCode()).as(role + " " + probe).isEqualTo(200);
            }
            // secrets/ (JWT and AES keys) is the same in every pod: DATA_DIR/secrets links to the shared claim
            @SuppressWarnings("unchecked")
            Map<String, Object> init = (Map<String, Object>) list(map(podTemplate, "spec"), "initContainers").getFirst();
            assertThat(String.join(" ", list(init, "command").stream().map(Object::toString).toList()))
                    .contains("jwt-hmac.key:64", "aes-256.key:32", "ln -sfn /shared/$file /var/lib/iploop/secrets/$file");
            sharedKeysOfTwoPods(list(init, "command").getLast().toString());
            List<Object> volumes = list(map(podTemplate, "spec"), "volumes");
            assertThat(volumes).anySatisfy(v -> assertThat(((Map<?, ?>) v).get("persistentVolumeClaim"))
                    .isEqualTo(Map.of("claimName", "ipl-secrets")));
        }

        // the gateway Service reaches gateway pods only, the http Service control-plane pods only
        Map<String, Object> gatewaySelector = map(map(byKindAndName.get("Service/ipl-gateway"), "spec"), "selector");
        assertThat(map(byKindAndName.get("Service/ipl-gateway"), "spec")).containsEntry("externalTrafficPolicy", "Local");
        assertThat(podLabelsByRole.get("gateway")).containsAllEntriesOf(gatewaySelector);
        Map<String, Object> httpSelector = map(map(byKindAndName.get("Service/ipl-http"), "spec"), "selector");
        assertThat(podLabelsByRole.get("control-plane")).containsAllEntriesOf(httpSelector);
        assertThat(podLabelsByRole.get("gateway")).as("http Service selects no gateway pod")
                .doesNotContainEntry("iploop.io/http", "true");
        assertThat(podLabelsByRole.get("control-plane")).doesNotContainEntry("iploop.io/gateway", "true");
        assertThat(httpSelector).containsEntry("iploop.io/http", "true");
        assertThat(gatewaySelector).containsEntry("iploop.io/gateway", "true");
    }

    @Test
    void helmRendererHandlesIfElseAndEndAsHelmDoes() {
        Map<String, Object> values = new HashMap<>(Map.of("on", true, "off", false, "empty", "", "n", 0));
        HelmTemplates helm = new HelmTemplates(values, Map.of(), "r", "ns");
        assertThat(helm.render("a{{- if .Values.on }}\nb{{- else }}\nc{{- end }}\nd")).isEqualTo("a\nb\nd");
        assertThat(helm.render("a{{- if .Values.off }}\nb{{- else }}\nc{{- end }}\nd")).isEqualTo("a\nc\nd");
        assertThat(helm.render("{{ if not .Values.empty }}x{{ if .Values.n }}y{{ end }}{{ end }}")).isEqualTo("x");
        assertThat(helm.render("{{ if .Values.missing }}{{ .Values.missing }}{{ end }}z")).isEqualTo("z");
        assertThatThrownBy(() -> helm.render("{{ if .Values.on }}x")).hasMessageContaining("without {{ end }}");
        assertThatThrownBy(() -> helm.render("x{{ end }}")).hasMessageContaining("without {{ if }}");
    }

    /**
     * Runs the chart's init script for two pods on one shared directory: both pods' DATA_DIR/secrets
     * end up with the same JWT (64 bytes) and AES (32 bytes) keys in the format PlatformSecrets reads.
     */
    private static void sharedKeysOfTwoPods(String script) throws IOException {
        Path tmp = Files.createTempDirectory("helm-secrets");
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        for (String pod : List.of("a", "b")) {
            String local = script.replace("/shared", shared.toString()).replace("/var/lib/iploop", tmp.resolve(pod).toString());
            Tools.Run run = Tools.run(tmp, Map.of(), Duration.ofSeconds(30), "sh", "-c", local);
            assertThat(run.exitCode()).as(run.toString()).isZero();
        }
        for (var key : Map.of("jwt-hmac.key", 64, "aes-256.key", 32).entrySet()) {
            String a = Files.readString(tmp.resolve("a/secrets").resolve(key.getKey()));
            assertThat(Files.readString(tmp.resolve("b/secrets").resolve(key.getKey()))).isEqualTo(a);
            assertThat(java.util.Base64.getDecoder().decode(a.strip())).hasSize(key.getValue());
        }
    }

    /** Every document the chart's templates render, by {@code kind/name}; each in the release's namespace. */
    private static Map<String, Map<String, Object>> renderChart(HelmTemplates helm) throws IOException {
        Map<String, Map<String, Object>> byKindAndName = new LinkedHashMap<>();
        List<Path> templates;
        try (Stream<Path> files = Files.list(DEPLOY.resolve("helm/iploop/templates"))) {
            templates = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path template : templates) {
            for (Map<String, Object> doc : HelmTemplates.documents(helm.render(Files.readString(template)))) {
                assertThat(doc).as(template.toString()).containsKeys("apiVersion", "kind", "metadata");
                assertThat(map(doc, "metadata")).as(template.toString()).containsEntry("namespace", "proxy");
                byKindAndName.put(doc.get("kind") + "/" + map(doc, "metadata").get("name"), doc);
            }
        }
        return byKindAndName;
    }

    @Test
    void dockerfilesRunUnprivilegedOnTemurin25AndProbeTheRealHealthPath() throws IOException {
        String server = Files.readString(ROOT.resolve("iploop-server/Dockerfile"));
        assertThat(server).contains("FROM eclipse-temurin:25-jre");
        Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(server);
        assertThat(expose.find()).isTrue();
        assertThat(List.of(expose.group(1).trim().split("\\s+"))).map(Integer::valueOf)
                .containsExactlyInAnyOrderElementsOf(defaultPorts());
        Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(server);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).isNotIn("root", "0");
        Matcher health = Pattern.compile("/actuator/health[a-z/]*").matcher(server.substring(server.indexOf("HEALTHCHECK")));
        assertThat(health.find()).isTrue();
        assertThat(get(health.group()).statusCode()).isEqualTo(200);

        String node = Files.readString(ROOT.resolve("iploop-node/Dockerfile"));
        assertThat(node).contains("FROM eclipse-temurin:25-jre", "USER proxyclaw", "HEALTHCHECK");
    }

    @Test
    void logFormatEcsWritesJsonLinesAndUnsetKeepsText() throws Exception {
        String ecs = runProbe("ecs");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : ecs.lines().filter(l -> !l.isBlank() && !l.startsWith("Picked up")).toList()) {
            lines.add(JSON.readTree(line)); // fails on any line that is not JSON
        }
        assertThat(lines).isNotEmpty();
        JsonNode started = lines.stream().filter(l -> l.path("message").asString("").startsWith("Started ")).findFirst().orElseThrow();
        assertThat(started.has("@timestamp")).isTrue();
        assertThat(started.path("ecs").path("version").asString("")).isNotEmpty();
        assertThat(started.path("service").path("name").asString("")).isEqualTo("iploop");

        String text = runProbe("");
        assertThat(text).contains("Started ").doesNotContain("\"@timestamp\"");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A child JVM that starts a Spring application (no web, no auto-configuration) on the server's
     * application.properties, with the test class path minus the modules' logback-test.xml (the
     * gateway's test jar brings one, and a logback file replaces Boot's own configuration, where
     * the structured format lives, as it would in production only if an operator added one).
     */
    private static String runProbe(String logFormat) throws IOException {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        List<String> classPath = new ArrayList<>();
        for (Path entry : classPathEntries()) {
            if (!hasLogbackTestConfig(entry)) {
                classPath.add(entry.toString());
            }
        }
        Tools.Run run = Tools.run(Path.of("."), Map.of("IPLOOP_LOG_FORMAT", logFormat), Duration.ofSeconds(90),
                javaBin, "-cp", String.join(File.pathSeparator, classPath), LogProbe.class.getName());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return new String(run.stdout(), StandardCharsets.UTF_8);
    }

    /** This JVM's class path, with a manifest-only jar (Surefire's and Failsafe's booter) expanded. */
    private static List<Path> classPathEntries() throws IOException {
        List<Path> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(e).toAbsolutePath();
            String manifestClassPath = null;
            if (Files.isRegularFile(path) && path.toString().endsWith(".jar")) {
                try (JarFile jar = new JarFile(path.toFile())) {
                    Manifest manifest = jar.getManifest();
                    manifestClassPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                }
            }
            if (manifestClassPath != null && path.getFileName().toString().startsWith("surefirebooter")) {
                for (String url : manifestClassPath.trim().split("\\s+")) {
                    entries.add(Path.of(path.getParent().toUri().resolve(url)));
                }
            } else {
                entries.add(path);
            }
        }
        return entries;
    }

    private static boolean hasLogbackTestConfig(Path entry) throws IOException {
        if (Files.isDirectory(entry)) {
            return Files.exists(entry.resolve("logback-test.xml"));
        }
        if (!Files.isRegularFile(entry)) {
            return false;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            return jar.getEntry("logback-test.xml") != null;
        }
    }

    /**
     * Main class of {@link #runProbe}: logs Boot's start-up lines, then exits. Deliberately not a
     * configuration class, so the platform's component scan never picks it up.
     */
    static class LogProbe {
        public static void main(String[] args) {
            SpringApplication app = new SpringApplication(LogProbe.class);
            app.setWebApplicationType(WebApplicationType.NONE);
            System.exit(SpringApplication.exit(app.run(args)));
        }
    }

    /** The metric names {@code /actuator/prometheus} exports once the local node has connected. */
    private static Set<String> exportedMetrics() {
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/actuator/prometheus").body().contains("iploop_nodes_connected{"));
        Set<String> names = new TreeSet<>();
        Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
        for (String line : get("/actuator/prometheus").body().lines().toList()) {
            Matcher m = sample.matcher(line);
            if (!line.startsWith("#") && m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "offset", "bool", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");

    /** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(s);
        while (m.find()) {
            if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The default ports application.properties gives the server's listeners (8080, 7777, …). */
    private static List<Integer> defaultPorts() {
        return Stream.of("IPLOOP_HTTP_PORT", "IPLOOP_PROXY_PORT", "IPLOOP_SOCKS_PORT", "IPLOOP_NODE_HUB_PORT",
                "IPLOOP_PROXY_TLS_PORT", "IPLOOP_SOCKS_TLS_PORT", "IPLOOP_NODE_HUB_TLS_PORT").map(DeployManifestsIT::defaultPort).toList();
    }

    private static int defaultPort(String variable) {
        try {
            String props = Files.readString(ROOT.resolve("iploop-server/src/main/resources/application.properties"));
            Matcher m = Pattern.compile("\\$\\{" + variable + ":(\\d+)}").matcher(props);
            assertThat(m.find()).as(variable + " has a default port").isTrue();
            return Integer.parseInt(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        assertThat(v).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        assertThat(v).as(key).isInstanceOf(List.class);
        return (List<Object>) v;
    }
}
