def run_graph(operation, feed_dict):
    return 42
