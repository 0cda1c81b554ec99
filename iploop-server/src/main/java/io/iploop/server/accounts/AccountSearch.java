package io.iploop.server.accounts;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An admin's query over all accounts ({@code GET /api/admin/users}, docs/product/admin.md#admin-api, #users: search,
 * status filter, pagination). Immutable.
 *
 * @param text case-insensitive substring of the e-mail, first name, last name, "first last" or
 *     company, or the exact customer id; null or blank for all
 * @param status only this status, or null for every status
 * @param role only this role, or null for every role
 * @param ids only these accounts (e.g. the subscribers of one plan, as the plans feature knows
 *     them), or null for no restriction; an empty collection matches nothing
 * @param sort the order; ties are broken by id so pages never overlap
 * @param descending sort direction
 * @param page 1-based page number
 * @param limit page size, 1-{@link AccountAdminService#MAX_PAGE_SIZE}
 */
public record AccountSearch(
        @Nullable String text,
        @Nullable UserStatus status,
        @Nullable UserRole role,
        @Nullable Collection<UUID> ids,
        Sort sort,
        boolean descending,
        int page,
        int limit) {

    public AccountSearch {
        ids = ids == null ? null : List.copyOf(ids);
    }

    /** Sortable columns; {@link #apiName()} is the {@code sort} request parameter's value. */
    public enum Sort {
        CREATED_AT("createdAt"), EMAIL("email"), NAME("name"), LAST_LOGIN_AT("lastLoginAt"), STATUS("status");

        private final String apiName;

        Sort(String apiName) {
            this.apiName = apiName;
        }

        /** The spelling in the {@code sort} request parameter, e.g. {@code createdAt}. */
        public String apiName() {
            return apiName;
        }
    }
}
