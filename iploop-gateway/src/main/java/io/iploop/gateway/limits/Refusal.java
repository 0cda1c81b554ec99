package io.iploop.gateway.limits;

import io.iploop.gateway.error.ProxyError;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Why a request is refused by a plan limit. Immutable.
 *
 * @param detail message for the customer, naming the limit or parameter
 * @param retryAfter when to retry (429 only), else null
 */
public record Refusal(ProxyError error, String detail, @Nullable Duration retryAfter) {}
