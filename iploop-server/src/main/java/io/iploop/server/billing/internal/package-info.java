/**
 * Implementation of the billing feature: the service, the invoice repository and number
 * allocation, the PDF renderer, settings ({@code iploop.billing.*}) and the REST controllers.
 * Package-private.
 */
@NullMarked
package io.iploop.server.billing.internal;

import org.jspecify.annotations.NullMarked;
