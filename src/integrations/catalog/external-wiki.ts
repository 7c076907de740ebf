/** @module integrations/external-wiki */
import { urlField } from '../fields.js';
import { defineIntegration } from '../validate.js';
import { getUrlOf } from '../test-requests.js';

export const externalWiki = defineIntegration({
  slug: 'external-wiki',
  title: 'External wiki',
  description: 'Link to an external wiki from the sidebar.',
  category: 'wiki',
  docsUrl: 'https://docs.gitlab.com/user/project/wiki/#link-an-external-wiki',
  levels: ['instance', 'group', 'project'],
  fields: [
    urlField(
      'external_wiki_url',
      'External wiki URL',
      true,
      'The URL of the external wiki.',
      'https://wiki.example.com',
    ),
  ],
  events: [],
  testRequest: getUrlOf('external_wiki_url'),
});
