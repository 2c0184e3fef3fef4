// The entity page (#/entity/type/id): the entity panel full-size.
import type { EntityType } from '../api/types';
import { t } from '../i18n';
import type { Ctx, Route, View } from '../screen';
import { entityPanel } from '../ui/entityPanel';
import { h } from '../ui/dom';
import { empty } from '../ui/states';

/** render shows the entity panel full-page at #/entity/type/id. */
export function render(ctx: Ctx, route: Route): View {
  const [, type, id] = route.parts;
  const el = h('section', { class: 'screen entity-page' });
  if (!type || !id) el.append(empty(t('state.notFound')));
  else el.append(entityPanel(ctx, { type: type as EntityType, id }, { compact: false }));
  return { el };
}
