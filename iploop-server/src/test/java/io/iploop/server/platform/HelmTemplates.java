package io.iploop.server.platform;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders the subset of Helm's template language that {@code deploy/helm/iploop} uses, so a test can
 * check the chart's manifests on a machine without a {@code helm} binary. Supported actions:
 * {@code {{ .Values.a.b }}}, {@code .Release.Name}, {@code .Release.Namespace}, {@code .Chart.Name},
 * {@code .Chart.Version}, {@code .Chart.AppVersion}, {@code required "message" X}, {@code toYaml X},
 * the pipeline stages {@code quote} and {@code nindent N}, and the blocks {@code if X} / {@code if not X}
 * / {@code else} / {@code end} (nestable; X is false when unset, false, 0 or empty, as in Helm);
 * {@code {{-} trims the whitespace before the action as Helm does. Anything else fails, naming the action, so the chart stays inside what
 * is tested. Stateless; thread-safe.
 */
final class HelmTemplates {

    private static final Pattern ACTION = Pattern.compile("\\{\\{(-?)\\s*(.*?)\\s*(-?)}}", Pattern.DOTALL);
    private static final Pattern REQUIRED = Pattern.compile("required\\s+\"([^\"]*)\"\\s+(\\S+)");

    private final Map<String, Object> values;
    private final Map<String, Object> chart;
    private final String releaseName;
    private final String namespace;

    HelmTemplates(Map<String, Object> values, Map<String, Object> chart, String releaseName, String namespace) {
        this.values = values;
        this.chart = chart;
        this.releaseName = releaseName;
        this.namespace = namespace;
    }

    /**
     * The rendered text of {@code template}.
     *
     * @throws IllegalArgumentException for an unsupported action, a value that is not set, or a
     *     {@code required} value that is empty (with its message, as {@code helm install} fails)
     */
    String render(String template) {
        StringBuilder out = new StringBuilder();
        Matcher m = ACTION.matcher(template);
        int last = 0;
        // one frame per open if: {enclosing block active, condition}
        Deque<boolean[]> blocks = new ArrayDeque<>();
        boolean active = true;
        while (m.find()) {
            String before = template.substring(last, m.start());
            if (!m.group(1).isEmpty()) {
                before = before.stripTrailing();
            }
            if (active) {
                out.append(before);
            }
            String action = m.group(2);
            if (action.startsWith("if ")) {
                boolean condition = active && condition(action.substring("if ".length()).trim(), action);
                blocks.push(new boolean[] {active, condition});
                active = condition;
            } else if (action.equals("else") || action.equals("end")) {
                boolean[] block = action.equals("else") ? blocks.peek() : blocks.poll();
                if (block == null) {
                    throw new IllegalArgumentException("{{ " + action + " }} without {{ if }}");
                }
                active = action.equals("else") ? block[0] && !block[1] : block[0];
            } else if (active) {
                out.append(evaluate(action));
            }
            last = m.end();
            if (!m.group(3).isEmpty()) {
                while (last < template.length() && Character.isWhitespace(template.charAt(last))) {
                    last++;
                }
            }
        }
        if (!blocks.isEmpty()) {
            throw new IllegalArgumentException("{{ if }} without {{ end }}");
        }
        out.append(template.substring(last));
        return out.toString();
    }

    /** Helm's truth of {@code .Values.x} or {@code not .Values.x}: unset, false, 0 and empty are false. */
    private boolean condition(String expr, String action) {
        if (expr.startsWith("not ")) {
            return !condition(expr.substring("not ".length()).trim(), action);
        }
        Object v = lookup(expr, action);
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Number n -> n.doubleValue() != 0;
            case Map<?, ?> map -> !map.isEmpty();
            case java.util.Collection<?> c -> !c.isEmpty();
            default -> !text(v).isEmpty();
        };
    }

    private String evaluate(String action) {
        if (action.startsWith("/*")) {
            return "";
        }
        String[] stages = action.split("\\|");
        Object value = head(stages[0].trim(), action);
        for (int i = 1; i < stages.length; i++) {
            String stage = stages[i].trim();
            if (stage.equals("quote")) {
                value = "\"" + text(value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            } else if (stage.startsWith("nindent ")) {
                int n = Integer.parseInt(stage.substring("nindent ".length()).trim());
                String pad = " ".repeat(n);
                value = "\n" + String.join("\n", text(value).stripTrailing().lines().map(l -> pad + l).toList());
            } else {
                throw new IllegalArgumentException("unsupported pipeline stage '" + stage + "' in {{ " + action + " }}");
            }
        }
        return text(value);
    }

    private Object head(String expr, String action) {
        Matcher required = REQUIRED.matcher(expr);
        if (required.matches()) {
            Object v = lookup(required.group(2), action);
            if (v == null || text(v).isEmpty()) {
                throw new IllegalArgumentException("required: " + required.group(1));
            }
            return v;
        }
        if (expr.startsWith("toYaml ")) {
            DumperOptions options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            return new Yaml(options).dump(lookup(expr.substring("toYaml ".length()).trim(), action));
        }
        Object v = lookup(expr, action);
        if (v == null) {
            throw new IllegalArgumentException("not set: " + expr + " in {{ " + action + " }}");
        }
        return v;
    }

    private @Nullable Object lookup(String path, String action) {
        return switch (path) {
            case ".Release.Name" -> releaseName;
            case ".Release.Namespace" -> namespace;
            case ".Chart.Name" -> chart.get("name");
            case ".Chart.Version" -> chart.get("version");
            case ".Chart.AppVersion" -> chart.get("appVersion");
            default -> {
                if (!path.startsWith(".Values.")) {
                    throw new IllegalArgumentException("unsupported template action {{ " + action + " }}");
                }
                Object node = values;
                for (String key : path.substring(".Values.".length()).split("\\.")) {
                    if (!(node instanceof Map<?, ?> map)) {
                        yield null;
                    }
                    node = map.get(key);
                }
                yield node;
            }
        };
    }

    private static String text(@Nullable Object value) {
        return value == null ? "" : value.toString();
    }

    /** Every YAML document of {@code rendered} that is not empty (a template may render to comments only). */
    static List<Map<String, Object>> documents(String rendered) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(rendered)) {
            if (doc != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) doc;
                docs.add(map);
            }
        }
        return docs;
    }
}
