/**
 * Customers paying in (docs/billing.md): the configured credit and GB packages, top-up requests
 * that create a numbered invoice with payment instructions, the manual (bank transfer) payment
 * provider whose invoices an admin marks paid or voids, and invoice PDFs. Marking paid posts one
 * {@link io.iploop.server.ledger.LedgerService} transaction keyed by the invoice and adds bought GB
 * through {@link io.iploop.server.plans.PlansService}, in the same database transaction as the
 * invoice's state change.
 */
@NullMarked
package io.iploop.server.billing;

import org.jspecify.annotations.NullMarked;
