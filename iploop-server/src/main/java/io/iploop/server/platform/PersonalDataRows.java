package io.iploop.server.platform;

import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The one query shape of a {@link PersonalData} export file (docs/privacy.md#export): a feature's
 * rows about one person as a JSON array, each row an object of its columns minus the hidden ones
 * (owner ids, hashes, sealed secrets). The feature passes its own {@code FROM … WHERE …} clause, so
 * its SQL and table names stay in the feature (the table-ownership check reads them there).
 * Stateless and thread-safe.
 */
public final class PersonalDataRows {

    private static final Pattern COLUMN = Pattern.compile("[a-z_][a-z0-9_]*");

    private PersonalDataRows() {}

    /**
     * Runs {@code SELECT coalesce(jsonb_agg(to_jsonb(r) - hidden… ORDER BY orderBy), '[]') fromWhere}
     * with {@code :id} bound to {@code userId}.
     *
     * @param fromWhere the feature's clause, aliasing its table {@code r} and naming the person as
     *     {@code :id}, e.g. {@code FROM api_keys r WHERE r.user_id = :id}; a constant, never input
     * @param orderBy the rows' order, e.g. {@code r.created_at, r.id}, or null for the table's order
     * @param hiddenColumns columns left out of every row
     * @return the JSON array as the driver returns a {@code jsonb} value; {@code []} when no row matches
     * @throws IllegalArgumentException if a hidden column is not a plain lower-case identifier
     */
    public static @Nullable Object json(JdbcClient jdbc, UUID userId, String fromWhere, @Nullable String orderBy,
            String... hiddenColumns) {
        StringBuilder row = new StringBuilder("to_jsonb(r)");
        for (String column : hiddenColumns) {
            if (!COLUMN.matcher(column).matches()) {
                throw new IllegalArgumentException("hidden column: '" + column + "' (expected: a lower-case identifier)");
            }
            row.append(" - '").append(column).append('\'');
        }
        String order = orderBy == null ? "" : " ORDER BY " + orderBy;
        return jdbc.sql("SELECT coalesce(jsonb_agg(" + row + order + "), '[]') " + fromWhere)
                .param("id", userId).query().singleValue();
    }
}
