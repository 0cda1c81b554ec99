package io.iploop.server.accounts;

import org.jspecify.annotations.Nullable;

/**
 * The editable part of a profile (docs/product/accounts.md#profile-and-settings): the e-mail is read-only. Blank optional values
 * are stored as null. Immutable.
 */
public record ProfileUpdate(String firstName, String lastName, @Nullable String company, @Nullable String phone) {}
