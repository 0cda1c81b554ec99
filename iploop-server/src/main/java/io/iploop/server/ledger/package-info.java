/**
 * The double-entry ledger (docs/product/ledger.md#double-entry): accounts per owner and purpose,
 * append-only
 * transactions whose entries sum to zero per currency, balances that always equal the sum of their
 * entries (kept by the database in the same transaction), and idempotency keys for externally
 * triggered movements. Features that move value (earn credits, cash-outs, referrals, billing) post
 * through {@link io.iploop.server.ledger.LedgerService} inside their own database transaction, so a
 * state change and its money movement commit or roll back together.
 */
@NullMarked
package io.iploop.server.ledger;

import org.jspecify.annotations.NullMarked;
