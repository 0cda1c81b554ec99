package io.iploop.server.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each feature owns its tables ({@code docs/architecture.md}): the owner of a table is
 * the feature named in the Flyway file that creates it ({@code V<ts>__<feature>_<what>.sql}), and
 * no other feature's Java sources may name that table in SQL ({@code FROM}, {@code JOIN},
 * {@code INTO}, {@code UPDATE}, {@code DELETE FROM}, {@code REFERENCES}, {@code TABLE}). Reading
 * another feature's data goes through its public service or an event instead. A unit test: it
 * reads source files only. SQL keywords are matched in upper case, as the repository writes SQL,
 * so prose such as "copy from nodes" in a message does not count.
 */
class TableOwnershipTest {

    static final Path SERVER = moduleDir();
    static final Path MIGRATIONS = SERVER.resolve("src/main/resources/db/migration");
    static final Path FEATURES = SERVER.resolve("src/main/java/io/iploop/server");

    private static final Pattern MIGRATION = Pattern.compile("V\\d+__([a-z]+)_[a-z0-9_]+\\.sql");
    private static final Pattern CREATE_TABLE =
            Pattern.compile("(?i)\\bCREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?([a-z_][a-z0-9_]*)");
    private static final Pattern TABLE_REFERENCE = Pattern.compile(
            "\\b(?:FROM|JOIN|INTO|UPDATE|REFERENCES|TABLE)\\s+(?:ONLY\\s+|IF\\s+(?:NOT\\s+)?EXISTS\\s+)?([a-z_][a-z0-9_]*)\\b");

    @Test
    void everyTableHasOneOwningFeature() {
        Map<String, String> owners = tableOwners();
        assertThat(owners).containsEntry("users", "accounts").containsEntry("nodes", "nodes")
                .containsEntry("bandwidth_contributions", "earn");
    }

    @Test
    void featuresTouchOnlyTheirOwnTables() {
        Map<String, String> owners = tableOwners();
        List<String> violations = new ArrayList<>();
        for (Path source : javaSources()) {
            String relative = FEATURES.relativize(source).toString().replace('\\', '/');
            String feature = relative.split("/")[0];
            if (!relative.contains("/")) {
                continue;
            }
            for (String table : tablesNamedIn(read(source))) {
                String owner = owners.get(table);
                if (owner != null && !owner.equals(feature)) {
                    violations.add(relative + ": feature '" + feature + "' uses table '" + table
                            + "' owned by '" + owner + "' (go through " + owner + "'s public service or an event)");
                }
            }
        }
        assertThat(violations).as("SQL naming another feature's table").isEmpty();
    }

    @Test
    void detectsATableNamedInATextBlockOrAStringLiteral() {
        String source = "class X {\n  // FROM nodes in a comment does not count\n"
                + "  String a = \"\"\"\n      SELECT n.id FROM earn_devices d\n      JOIN nodes n ON n.id = d.id\n      \"\"\";\n"
                + "  String b = \"DELETE FROM users WHERE id = ?\" + \" and \\\"q\\\"\";\n"
                + "  String c = \"copy from nodes\";\n  char d = '\"';\n}\n";
        assertThat(tablesNamedIn(source)).containsExactlyInAnyOrder("earn_devices", "nodes", "users");
    }

    /** Table name to owning feature, from the migrations' {@code CREATE TABLE}s. */
    static Map<String, String> tableOwners() {
        Map<String, String> owners = new TreeMap<>();
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            for (Path file : files.sorted().toList()) {
                Matcher name = MIGRATION.matcher(file.getFileName().toString());
                assertThat(name.matches()).as("migration name %s (expected V<ts>__<feature>_<what>.sql)", file.getFileName())
                        .isTrue();
                Matcher create = CREATE_TABLE.matcher(read(file));
                while (create.find()) {
                    String previous = owners.put(create.group(1), name.group(1));
                    assertThat(previous).as("table %s created twice", create.group(1)).isNull();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return owners;
    }

    /** Lower-case table names after an upper-case SQL keyword inside the string literals and text blocks of {@code source}. */
    static Set<String> tablesNamedIn(String source) {
        Set<String> tables = new TreeSet<>();
        for (String literal : literals(source)) {
            Matcher m = TABLE_REFERENCE.matcher(literal);
            while (m.find()) {
                tables.add(m.group(1));
            }
        }
        return tables;
    }

    /** The string literals and text blocks of a Java source, comments and char literals skipped. */
    static List<String> literals(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? s.length() : nl + 1;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                while (end > 0 && s.charAt(end - 1) == '\\') {
                    end = s.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? s.length() : end;
                out.add(s.substring(i + 3, end));
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                StringBuilder b = new StringBuilder();
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c && s.charAt(j) != '\n') {
                    if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                        j++;
                    }
                    b.append(s.charAt(j));
                    j++;
                }
                if (c == '"') {
                    out.add(b.toString());
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }

    private static List<Path> javaSources() {
        try (Stream<Path> files = Files.walk(FEATURES)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** iploop-server's directory, whether the build runs from the repository root or from the module. */
    private static Path moduleDir() {
        Path cwd = Path.of("").toAbsolutePath();
        return Files.isDirectory(cwd.resolve("iploop-server")) ? cwd.resolve("iploop-server") : cwd;
    }
}
