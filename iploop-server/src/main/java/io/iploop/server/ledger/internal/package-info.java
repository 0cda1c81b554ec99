/**
 * Ledger implementation: the SQL of {@code ledger_accounts}, {@code ledger_transactions} and
 * {@code ledger_entries}, the posting service, the consistency check and the admin endpoints.
 */
@NullMarked
package io.iploop.server.ledger.internal;

import org.jspecify.annotations.NullMarked;
