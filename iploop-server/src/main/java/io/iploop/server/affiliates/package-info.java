/**
 * The campaign affiliate programme (docs/affiliates.md): clicks on referral links ({@code ?ref=CODE},
 * a 90-day visitor cookie that also feeds the sign-up), 20 % lifetime commission on every campaign
 * wallet top-up of a referred customer, held as pending on the ledger and made available after a
 * holding period, and payouts of available commission through the cash-outs feature. The referral
 * code and who referred whom are the earn feature's (one code, one capture for both programmes). The
 * public API is {@link io.iploop.server.affiliates.AffiliatesService}.
 */
@NullMarked
package io.iploop.server.affiliates;

import org.jspecify.annotations.NullMarked;
