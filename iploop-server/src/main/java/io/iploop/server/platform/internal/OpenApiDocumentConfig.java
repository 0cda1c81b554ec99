package io.iploop.server.platform.internal;

import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Whole-document touches to {@code /api/openapi.json} that the annotations of single controllers
 * cannot make: a title, and one entry per tag. Several controllers declare the same tag
 * ({@code admin}, {@code billing}) with different descriptions; springdoc lists each variant, and
 * OpenAPI requires tag names to be unique, so code generators refuse the document
 * (docs/integrations/api-clients.md). The tags are sorted by name; of a tag's variants the longest
 * description wins.
 *
 * <p>Operation ids are the controller's name without {@code Controller} followed by the method's
 * ({@code ApiKeysController.list} → {@code apiKeysList}): springdoc's default, the bare method name
 * numbered in scan order ({@code list1}, {@code list2}), renamed the generated clients' methods
 * whenever a feature added a controller with a method of the same name.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocumentConfig {

    @Bean
    OpenApiCustomizer uniqueTagsAndTitle() {
        return openApi -> {
            if (openApi.getInfo() == null) {
                openApi.setInfo(new Info().version("v0"));
            }
            openApi.getInfo().title("IPLoop API").description("Control plane REST API of IPLoop: docs/product/api.md. "
                    + "Generated clients: docs/integrations/api-clients.md.");
            if (openApi.getTags() != null) {
                // Sorted by name, and among variants the longest description (then the first in
                // alphabetical order): the controllers' scan order must not change the document.
                Map<String, Tag> unique = new TreeMap<>();
                for (Tag t : openApi.getTags()) {
                    unique.merge(t.getName(), t, (a, b) -> better(a, b) ? a : b);
                }
                openApi.setTags(new ArrayList<>(unique.values()));
            }
        };
    }

    @Bean
    OperationCustomizer stableOperationIds() {
        return (operation, handler) -> {
            String controller = handler.getBeanType().getSimpleName().replaceFirst("Controller$", "");
            String method = handler.getMethod().getName();
            operation.setOperationId(Character.toLowerCase(controller.charAt(0)) + controller.substring(1)
                    + Character.toUpperCase(method.charAt(0)) + method.substring(1));
            return operation;
        };
    }

    private static boolean better(Tag a, Tag b) {
        String da = a.getDescription() == null ? "" : a.getDescription();
        String db = b.getDescription() == null ? "" : b.getDescription();
        return da.length() != db.length() ? da.length() > db.length() : da.compareTo(db) <= 0;
    }
}
