import h5py, json, sys
CLASSES = {0: 'integer', 1: 'float', 2: 'time', 3: 'string', 4: 'bitfield', 5: 'opaque', 6: 'compound', 7: 'reference', 8: 'enum', 9: 'vlen', 10: 'array'}
f = h5py.File(sys.argv[1], 'r')
seen = {}
out = []
def attr_names(obj):
    try:
        return sorted(obj.attrs.keys())
    except Exception:
        return None
def walk(group, path):
    for name in group.keys():
        child = path.rstrip('/') + '/' + name
        try:
            link = group.get(name, getlink=True)
        except Exception:
            link = None
        if isinstance(link, h5py.SoftLink):
            out.append({'path': child, 'kind': 'soft', 'target': link.path}); continue
        if isinstance(link, h5py.ExternalLink):
            out.append({'path': child, 'kind': 'external', 'target': link.path, 'file': link.filename}); continue
        if not isinstance(link, h5py.HardLink):
            info = group.id.links.get_info(name.encode())
            out.append({'path': child, 'kind': 'user-defined', 'linkClass': info.type}); continue
        obj = group[name]
        addr = h5py.h5o.get_info(obj.id).addr
        kind = 'group' if isinstance(obj, h5py.Group) else 'dataset' if isinstance(obj, h5py.Dataset) else 'datatype'
        if addr in seen:
            out.append({'path': child, 'kind': kind, 'hardLinkTo': seen[addr]}); continue
        seen[addr] = child
        entry = {'path': child, 'kind': kind, 'attributes': attr_names(obj)}
        if kind == 'dataset':
            t = obj.id.get_type()
            entry['shape'] = list(obj.shape) if obj.shape is not None else None
            entry['typeClass'] = CLASSES.get(t.get_class(), 'unknown')
            entry['typeSize'] = t.get_size()
        out.append(entry)
        if kind == 'group':
            walk(obj, child)
seen[h5py.h5o.get_info(f.id).addr] = '/'
out.append({'path': '/', 'kind': 'group', 'attributes': attr_names(f)})
walk(f, '/')
print(json.dumps(out))
