package io.iploop.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/**
 * Every feature package of the control plane is a Spring Modulith application module
 * ({@code docs/architecture.md}): {@code verify()} fails on a dependency cycle between
 * features, on a reference into another feature's {@code .internal} package or undeclared named
 * interface, and on a dependency that a module's {@code allowedDependencies} does not list. The
 * same run writes the module documentation (component diagrams per module and overall, module
 * canvases) into the repository's {@code docs/modules/}, in a stable order so that an unchanged
 * code base leaves the files unchanged, and every build keeps them current. A unit
 * test: it reads class files, no Spring context.
 */
class ModularityTest {

    static final ApplicationModules MODULES = ApplicationModules.of(IploopApplication.class);

    @Test
    void featuresAreVerifiedApplicationModules() {
        MODULES.verify();
    }

    @Test
    void writesModuleDocumentation() throws IOException {
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder(docsModules().toString()))
                .writeDocumentation();
        makeDeterministic(docsModules());
    }

    /**
     * Brings the generated files into one stable order, so that a build leaves the checked-in
     * {@code docs/modules/} unchanged unless the modules changed: the Documenter emits components,
     * relations, canvas entries and the sections of {@code all-docs.adoc} in the iteration order of
     * hash-based sets, which differs between runs. Sorting changes no content: the diagrams' layout
     * comes from PlantUML, and the lists are unordered sets.
     */
    static void makeDeterministic(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                String text = Files.readString(file, StandardCharsets.UTF_8);
                String sorted;
                if (name.endsWith(".puml")) {
                    sorted = sortRuns(text, PUML_ELEMENT);
                } else if (name.equals("all-docs.adoc")) {
                    sorted = sortSections(text);
                } else if (name.endsWith(".adoc")) {
                    sorted = sortBullets(text);
                } else {
                    continue;
                }
                if (!sorted.equals(text)) {
                    Files.writeString(file, sorted, StandardCharsets.UTF_8);
                }
            }
        }
    }

    /** A PlantUML element or relation statement; group 1 is its kind ({@code Component}, {@code Rel}, ...). */
    private static final Pattern PUML_ELEMENT = Pattern.compile("^\\s*(\\w+)\\(.*");

    /** Sorts every maximal run of consecutive lines that match {@code kind} with the same group 1. */
    static String sortRuns(String text, Pattern kind) {
        List<String> lines = text.lines().toList();
        List<String> out = new ArrayList<>(lines.size());
        List<String> run = new ArrayList<>();
        String runKind = null;
        for (String line : lines) {
            Matcher m = kind.matcher(line);
            String k = m.matches() ? m.group(1) : null;
            if (k == null || !k.equals(runKind)) {
                flush(run, out);
            }
            runKind = k;
            if (k != null) {
                run.add(line);
            } else {
                out.add(line);
            }
        }
        flush(run, out);
        return String.join("\n", out) + (text.endsWith("\n") ? "\n" : "");
    }

    /**
     * Sorts every list in a module canvas: a run of {@code * item} lines, where the first item may
     * open a table cell ({@code |* item}, which keeps the cell's {@code |} on its first line).
     */
    static String sortBullets(String text) {
        List<String> lines = text.lines().toList();
        List<String> out = new ArrayList<>(lines.size());
        List<String> items = new ArrayList<>();
        String cell = "";
        for (String line : lines) {
            boolean opensCell = line.startsWith("|* ");
            if (line.startsWith("* ") && !items.isEmpty()) {
                items.add(line);
                continue;
            }
            flushItems(cell, items, out);
            if (opensCell || line.startsWith("* ")) {
                cell = opensCell ? "|" : "";
                items.add(opensCell ? line.substring(1) : line);
            } else {
                out.add(line);
            }
        }
        flushItems(cell, items, out);
        return String.join("\n", out) + (text.endsWith("\n") ? "\n" : "");
    }

    private static void flushItems(String cell, List<String> items, List<String> out) {
        if (items.isEmpty()) {
            return;
        }
        items.sort(Comparator.naturalOrder());
        out.add(cell + items.getFirst());
        out.addAll(items.subList(1, items.size()));
        items.clear();
    }

    private static void flush(List<String> run, List<String> out) {
        run.sort(Comparator.naturalOrder());
        out.addAll(run);
        run.clear();
    }

    /** {@code all-docs.adoc}: the first section (the overall diagram) stays first, the modules' sections follow by title. */
    static String sortSections(String text) {
        List<String> sections = new ArrayList<>(Stream.of(text.split("\n(?=== )")).map(String::strip).toList());
        if (sections.size() > 2) {
            sections.subList(1, sections.size()).sort(Comparator.naturalOrder());
        }
        return String.join("\n\n", sections) + "\n";
    }

    /** {@code <repo>/docs/modules}, whether the build runs from the repository root or from iploop-server. */
    static Path docsModules() {
        Path cwd = Path.of("").toAbsolutePath();
        Path root = cwd.resolve("iploop-server").toFile().isDirectory() ? cwd : cwd.getParent();
        return root.resolve("docs").resolve("modules");
    }
}
