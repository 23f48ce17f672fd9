# Sphinx configuration of the incident.ops documentation site (make docs).
# The pages come from antsibull-docs (plugins, roles) and docs/docsite/rst (guides).
# The site is built offline, so it links to no other Sphinx inventory.

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
}


def link_to_ansible_docs(app, env, node, contnode):
    """Resolve a reference to one of EXTERNAL_LABELS to its address; leave every other one missing."""
    from docutils import nodes  # pylint: disable=import-outside-toplevel

    label = node.get('reftarget')
    if node.get('reftype') not in ('ref', 'any') or label not in EXTERNAL_LABELS:
        return None
    title, url = EXTERNAL_LABELS[label]
    text = contnode.astext() if node.get('refexplicit') else title
    return nodes.reference('', text, internal=False, refuri=url)


def setup(app):
    app.connect('missing-reference', link_to_ansible_docs)
