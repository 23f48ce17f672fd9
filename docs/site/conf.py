# Sphinx configuration of the incident.ops documentation site (make docs).
# The pages come from antsibull-docs (plugins, roles) and docs/docsite/rst (guides).
# The site is built offline, so it links to no other Sphinx inventory.

import re

project = 'incident.ops'
copyright = 'incident.ops contributors'
title = 'incident.ops documentation'
html_short_title = 'incident.ops'

extensions = ['sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = 'any'
nitpicky = True

# The generated pages refer to two pages of the Ansible documentation by label; with no
# inventory to look them up in, they link to those pages' addresses.
ANSIBLE_DOCS = 'https://docs.ansible.com/ansible/latest/reference_appendices/'
EXTERNAL_LABELS = {
    'common_return_values': ('Return Values', ANSIBLE_DOCS + 'common_return_values.html'),
    'ansible_configuration_settings': ('Ansible Configuration Settings', ANSIBLE_DOCS + 'config.html'),
    'callback_plugins': ('Callback plugins', 'https://docs.ansible.com/ansible/latest/plugins/callback.html'),
}


# A plugin of another collection (M(ansible.builtin.copy)) links to its page there.
OTHER_PLUGIN = re.compile(r'^ansible_collections\.(?!incident\.ops\.)(\w+)\.(\w+)\.(\w+)_(module|lookup|callback|filter|test)$')
COLLECTIONS_DOCS = 'https://docs.ansible.com/ansible/latest/collections/'


def external_target(label, kind='ref'):
    """The title and address of a label or environment variable that lives in the Ansible documentation, or None."""
    if kind == 'envvar':
        return (label, ANSIBLE_DOCS + 'config.html#envvar-' + label) if (label or '').startswith('ANSIBLE_') else None
    if label in EXTERNAL_LABELS:
        return EXTERNAL_LABELS[label]
    found = OTHER_PLUGIN.match(label or '')
    if found:
        namespace, collection, name, kind = found.groups()
        return ('%s.%s.%s' % (namespace, collection, name),
                '%s%s/%s/%s_%s.html' % (COLLECTIONS_DOCS, namespace, collection, name, kind))
    return None


def link_to_ansible_docs(app, env, node, contnode):
    """Resolve a reference into the Ansible documentation to its address; leave every other one missing."""
    from docutils import nodes  # pylint: disable=import-outside-toplevel

    kind = node.get('reftype')
    target = external_target(node.get('reftarget'), kind)
    if kind not in ('ref', 'any', 'envvar') or target is None:
        return None
    title, url = target
    text = contnode.astext() if node.get('refexplicit') else title
    return nodes.reference('', text, internal=False, refuri=url)


def setup(app):
    app.connect('missing-reference', link_to_ansible_docs)
